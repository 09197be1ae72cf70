"""Per-clip rendering: eSpeak prosody, then voice-quality and channel DSP.

eSpeak handles what it does well (text, rate, pitch, pitch range, pauses,
intonation type); simple signal processing adds what it cannot: formant scaling,
jitter/tremor (time-warping), shimmer, creak, breathiness, spectral tilt, vocal
effort (soft clipping, level) and a speaker-specific recording channel. Every random
draw comes from the clip's own generator, so a clip is a pure function of its spec.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from .emotions import clip_deltas
from .espeak import synthesize
from .speakers import Channel, Speaker

SAMPLE_RATE = 16000


def _smooth_noise(rng: np.random.Generator, n: int, cutoff_hz: float) -> np.ndarray:
    """Unit-variance noise low-passed at ``cutoff_hz`` (a slow random modulator)."""
    step = max(1, int(SAMPLE_RATE / (4 * cutoff_hz)))
    knots = rng.standard_normal(n // step + 3)
    return np.interp(np.arange(n) / step, np.arange(len(knots)), knots)


def _envelope(x: np.ndarray, win: int = 160) -> np.ndarray:
    return np.sqrt(np.convolve(x * x, np.ones(win) / win, mode="same") + 1e-10)


def time_warp(x: np.ndarray, rng: np.random.Generator, jitter: float, tremor: float) -> np.ndarray:
    """Pitch jitter (random, ~25 Hz) and tremor (5-8 Hz) as a time-varying playback rate."""
    n = len(x)
    if jitter <= 0 and tremor <= 0:
        return x
    t = np.arange(n) / SAMPLE_RATE
    speed = 1.0 + 0.012 * jitter * _smooth_noise(rng, n, 25.0)
    speed += 0.03 * tremor * np.sin(2 * np.pi * rng.uniform(5, 8) * t + rng.uniform(0, 2 * np.pi))
    pos = np.cumsum(np.clip(speed, 0.5, 1.5)) - speed[0]
    pos = pos[pos <= n - 1]
    return np.interp(pos, np.arange(n), x)


def voice_quality(x: np.ndarray, rng: np.random.Generator, *, breath: float, shimmer: float,
                  creak: float, tilt: float, drive: float) -> np.ndarray:
    n = len(x)
    env = _envelope(x)
    if shimmer > 0:  # fast random amplitude perturbation
        x = x * (1.0 + 0.25 * shimmer * _smooth_noise(rng, n, 40.0))
    if creak > 0:  # irregular low-rate glottal pulses (vocal fry-like amplitude gating)
        rate = rng.uniform(35, 60) * (1 + 0.15 * _smooth_noise(rng, n, 10.0))
        phase = np.cumsum(rate) / SAMPLE_RATE
        gate = (0.5 + 0.5 * np.cos(2 * np.pi * phase)) ** 6
        depth = min(0.9, 0.6 * creak)
        x = x * ((1 - depth) + depth * gate * 2.0)
    if breath > 0:  # aspiration noise following the speech envelope
        noise = np.diff(rng.standard_normal(n + 1))  # high-passed white noise
        x = x + 0.6 * breath * env * noise
    if tilt != 0:  # first-order shelf around 1 kHz: + brighter/tense, - darker/soft
        b, a = signal.butter(1, 1000, "highpass", fs=SAMPLE_RATE)
        hp = signal.lfilter(b, a, x)
        x = x + float(np.clip(tilt, -0.9, 2.5)) * hp
    if drive > 0:  # vocal effort: soft clipping adds harmonics
        g = 1.0 + 4.0 * drive
        peak = np.max(np.abs(x)) + 1e-9
        x = np.tanh(g * x / peak) / np.tanh(g) * peak
    return x


def apply_channel(x: np.ndarray, ch: Channel, rng: np.random.Generator) -> np.ndarray:
    """Speaker's recording chain: EQ, band limits, room, level and background noise."""
    for f, g in zip(ch.eq_freqs, ch.eq_gains_db):  # peaking filters (RBJ cookbook)
        A, w0 = 10 ** (g / 40), 2 * np.pi * f / SAMPLE_RATE
        alpha = np.sin(w0) / (2 * 1.2)
        b = np.array([1 + alpha * A, -2 * np.cos(w0), 1 - alpha * A])
        a = np.array([1 + alpha / A, -2 * np.cos(w0), 1 - alpha / A])
        x = signal.lfilter(b, a, x)
    sos = signal.butter(4, [ch.highpass_hz, ch.lowpass_hz], "bandpass", fs=SAMPLE_RATE, output="sos")
    x = signal.sosfilt(sos, x)
    if ch.reverb_mix > 0:  # exponentially decaying noise impulse response
        n_ir = int(ch.reverb_rt60 * SAMPLE_RATE)
        ir = rng.standard_normal(n_ir) * np.exp(-6.9 * np.arange(n_ir) / n_ir)
        ir /= np.sqrt(np.sum(ir ** 2))
        wet = signal.fftconvolve(x, ir)[: len(x)]
        x = (1 - ch.reverb_mix) * x + ch.reverb_mix * wet
    x = x * 10 ** (ch.gain_db / 20)
    noise = signal.lfilter([1.0], [1.0, -ch.noise_tilt], rng.standard_normal(len(x)))
    speech_rms = np.sqrt(np.mean(x ** 2)) + 1e-9
    noise *= speech_rms * 10 ** (-ch.snr_db / 20) / (np.sqrt(np.mean(noise ** 2)) + 1e-12)
    return x + noise


def render_clip(spk: Speaker, emotion: str, text: str, clip_seed: int) -> tuple[np.ndarray, dict]:
    """One clip as int16 samples at 16 kHz, plus the realised settings (for the manifest)."""
    rng = np.random.default_rng(clip_seed)
    d = clip_deltas(spk.style, emotion, rng)
    alpha = SAMPLE_RATE / spk.render_rate  # formant (and pitch) scaling of the speaker
    rate = float(np.clip(spk.rate * np.exp(d["rate"]), 90, 360))
    pitch = int(np.clip(round(spk.pitch + d["pitch"]), 0, 100))
    prange = int(np.clip(round(spk.pitch_range + d["range"]), 0, 100))
    word_gap = int(np.clip(round(d["word_gap"]), 0, 30))
    exclaim = rng.random() < float(np.clip(d["exclaim"], 0, 1))
    espeak_seed = int(rng.integers(1, 2**31 - 1))
    x = synthesize(text + ("!" if exclaim else "."), voice=spk.voice,
                   rate=int(round(rate * alpha)),  # played back alpha x faster below
                   pitch=pitch, pitch_range=prange, seed=espeak_seed,
                   sample_rate=spk.render_rate, word_gap=word_gap).astype(np.float64)
    x = time_warp(x, rng, jitter=max(0.0, spk.jitter + d["jitter"]), tremor=max(0.0, d["tremor"]))
    x = voice_quality(x, rng, breath=max(0.0, spk.breath + d["breath"]),
                      shimmer=max(0.0, spk.shimmer + d["shimmer"]), creak=max(0.0, d["creak"]),
                      tilt=spk.tilt + d["tilt"], drive=max(0.0, d["drive"]))
    x = x * 10 ** (d["gain_db"] / 20) * 0.5
    x = apply_channel(x, spk.channel, rng)
    peak = np.max(np.abs(x))
    if peak > 0.99:  # limiter: never clip the file
        x = x * (0.99 / peak)
    pcm = np.round(x * 32767).astype(np.int16)
    info = dict(rate_wpm=round(rate, 1), pitch=pitch, pitch_range=prange, exclaim=bool(exclaim))
    return pcm, info
