"""Every deliberate deviation from the paper's released code, with the reason.

The appendix of the book renders this list; keep it in step with the code.
Each entry: (topic, released code, this edition, why).
"""

DEVIATIONS: list[tuple[str, str, str, str]] = [
    ("Test speakers",
     "drawn from list(set(...)) and shuffled without a seed; one hold-out split",
     "10-fold leave-speaker-out CV (leave-one-speaker-out with fewer speakers), seeded, saved as JSON",
     "the paper reports 10-fold CV; unseeded set order makes the split change per run"),
    ("Validation set",
     "random clips from the training speakers",
     "whole speakers, disjoint from train and test, checked by a guard",
     "early stopping on seen speakers would overestimate unseen-speaker accuracy"),
    ("Feature storage",
     "one pickle per corpus (about 6 MB per clip for Whisper-medium)",
     "float16 shards of .npy arrays with id sidecars, written atomically, resumable",
     "pickle runs code on load and a corpus-sized pickle does not fit in memory"),
    ("Saved datasets and checkpoints",
     "torch.save of Python objects",
     "state dicts of tensors plus JSON metadata, loaded with weights_only=True",
     "loading a pickled object can execute arbitrary code"),
    ("Feature script",
     "calls its loader with a wrong argument count and appends to missing dict keys",
     "one tested extraction function per feature",
     "the released script does not run as published"),
    ("Device",
     "'cuda' hard-coded",
     "CUDA with mixed precision when present, CPU otherwise",
     "the book must run on a laptop"),
    ("Gender coding",
     "Male=1 in CREMA-D, even actor=1 (female) in RAVDESS",
     "one coding for all corpora: the strings 'female'/'male', fixed class order",
     "a multitask gender head trained across corpora needs one coding"),
    ("Loss",
     "0.4 * emotion + 0.1 * gender + 0.2",
     "0.4 * emotion + 0.1 * gender (weights configurable; constant optional)",
     "a constant has no gradient: it only shifts the printed loss"),
    ("Whisper frames",
     "30 s padding, all 1500 frames (full mode)",
     "the paper profile keeps full mode; the compact profile (the default) uses trimmed mode (the clip's "
     "own frames, masked in batches)",
     "over 90% of the 1500 frames encode padding for 2-3 s clips; trimmed is far cheaper on CPU"),
    ("Whisper batches",
     "one file at a time: pad to 30 s, log-mel (floored at the clip's own max - 8), encoder",
     "clips encoded in batches; full mode takes each clip's log-mel alone (its own floor), then batches "
     "the encoder: on CPU a clip's frames are bit-identical alone or in any batch (tested); trimmed mode "
     "pads and masks clips in a batch: frames within float32 rounding (about 4e-4 on values up to ~24) "
     "of the clip alone",
     "batching is several times faster; a log-mel of the whole batch would share one floor and change a "
     "quiet clip's features beside a loud one"),
    ("Mel spectrogram",
     "n_fft=800, win_length=40, hop_length=10 samples (1,600 frames/s)",
     "the paper profile's 'paper' preset keeps these; the compact profile uses 'cpu': 25 ms window, "
     "10 ms hop, 64 log-mel bands",
     "the released window of 2.5 ms is unusually short and 16x costlier"),
    ("MFCC length",
     "each clip's audio zero-padded to the corpus's longest clip before the MFCC is computed",
     "the book ('cpu' preset) stores each clip's own MFCC frames and zero-pads them to the batch's "
     "longest clip; the compact model's GRU reads each clip's own frames only (a packed sequence, "
     "where the released GRU's backward direction starts in the padding) and averages its output "
     "over them ('paper' preset: see the next item)",
     "stored features then do not depend on the other clips of the corpus, the embedding ignores "
     "the padding, and a CPU trains 1.45x the samples per second"),
    ("MFCC frames in the paper configuration",
     "audio zero-padded to the corpus's longest clip, while the MFCC layer is hard-coded for "
     "T = 501 frames (Linear(256512, 1024), i.e. 501 x 512): the sizes fit a corpus whose longest clip is 5 s",
     "'paper' preset pads (with silence, so the extra frames hold MFCCs of silence, as released) or crops "
     "every clip's audio to exactly 5 s, so every clip gives 501 frames and the layer keeps its released "
     "size; clips longer than 5 s lose their end, and extraction warns with how many were cropped",
     "sizing the layer from the data instead makes it grow with the corpus: IEMOCAP's 34-s clips would "
     "need about 1.8 billion weights in that one layer"),
    ("MFCC branch output",
     "GRU output flattened (T x 512) into one linear layer",
     "'paper' config flattens; the compact config pools over time",
     "the flattened layer holds most of the parameters and fixes the clip length"),
    ("Spectrogram branch weights",
     "ImageNet-pretrained AlexNet",
     "trained from scratch; CAMuLeNetConfig(pretrained_spectrogram=True) loads ImageNet weights "
     "when torchvision and its cached AlexNet weights are present",
     "torchvision (and its weight download) is not available offline here"),
    ("First conv of the spectrogram AlexNet",
     "model.py replaces AlexNet's first conv by a new Conv2d(1, 64, 11, stride 4, padding 2) initialised "
     "with xavier_uniform weights (bound 0.028) and zero bias; the ImageNet RGB filters are not reused",
     "a new one-channel conv of the same shape with PyTorch's default initialisation (weights and bias "
     "uniform within +-1/11 = 0.091)",
     "an undocumented detail of the released code, found after the branch was written; it changes only the "
     "initial scale of one layer"),
    ("Unused AlexNet classifier",
     "model.py keeps torchvision's AlexNet classifier (9216 -> 4096 -> 4096 -> emotions) and runs it in "
     "every forward pass, discarding its output; its 54,534,144 + 4,097 x emotions parameters (54,558,726 "
     "with 6 emotions) never get a gradient but are in model.parameters(): the released model object holds "
     "335,294,890 parameters with Whisper-medium and 6 emotions",
     "no classifier: 280,736,164 parameters with Whisper-medium and 6 emotions (280,211,876 with Whisper-base)",
     "it has no effect on the outputs and would inflate parameter counts and memory"),
    ("Whisper model",
     "Whisper-medium encoder (d = 1024)",
     "the paper profile uses Whisper-medium (openai-whisper's download and cache, or a checkpoint file); "
     "the compact profile uses Whisper-base (d = 512) from verified offline weights",
     "the medium weights cannot be obtained offline here, and base is what a CPU build can afford"),
    ("Pre-trained SSL baselines",
     "Wav2Vec2.0, HuBERT, WavLM embeddings",
     "code path tested on tiny random models; not run in the book",
     "their pre-trained weights cannot be obtained offline here"),
    ("Training length",
     "10 epochs, batch 64, lr 5e-5",
     "the paper profile keeps the released schedule (TrainConfig.paper()); the compact profile trains "
     "up to 15 epochs at lr 3e-4 with early stopping on the validation speakers",
     "a fixed epoch count either under- or over-trains when the model size changes"),
    ("Ablation without co-attention",
     "not specified beyond removing the co-attention",
     "the Whisper frames are averaged over each clip's own frames instead of attended",
     "the paper does not say what replaces the attended vector; an average is the neutral choice"),
    ("Embedding baseline classifier",
     "baseline_models/Whisper.py: a 2-D CNN over the 1500 x d encoder frames (four stride-2 convs to "
     "16/32/64/128 channels, kernels 3/3/5/5, each followed by ReLU, batch norm, 2 x 2 max-pool and dropout "
     "0.25; FC 1920-128-32-16-6); HuBERT.py, WavLM.py (Wav2Vec2.py: see below): the time-averaged embedding as a "
     "one-channel sequence, conv1d to 32 channels (kernel 3), batch norm, ReLU, max-pool 2, dropout 0.3, "
     "FC 12288 (HuBERT-large: 16384) -> 512 -> 6; no training code for either",
     "both layouts as baseline_model(..., layout='released'), the released layers in the released order and "
     "initialisation, sized for the corpus's emotions; layout='compact' (the book's CPU default) is a 1x1 conv to 64, a kernel-3 conv, an "
     "average over valid frames, a 128-d layer and the emotion head; frames past a clip's length (trimmed "
     "Whisper frames padded to 1500) are zeros and masked",
     "the released Whisper layout needs every clip as 1500 frames (a 30-s window); the compact one reads "
     "only the clip's own frames"),
    ("Released baselines' first FC width",
     "hard-coded: Whisper fc1 = 1920 with x.view(-1, 1920), which fits only Whisper-medium's 1500 x 1024 "
     "(a commented view(-1, 640) marks base, with fc1 left at 1920); SSL fc1 = 12288 (768-d models) or "
     "16384 (HuBERT-large, 1024-d)",
     "computed from the input: 128 x H' x W' after the convs (1920 for medium, 640 for base) and 32 x (d // 2) "
     "(12288 and 16384 for the released models); an input of another size raises instead of view() "
     "silently regrouping the batch",
     "one class serves Whisper-base and -medium and small test inputs, with the released numbers for the "
     "released inputs"),
    ("Time average in the Wav2Vec2.0 baseline",
     "HuBERT.py and WavLM.py average the frames over time; Wav2Vec2.py's extract_features returns the frame "
     "sequence without averaging, though its 12288-wide FC only fits a 768-long input, i.e. one vector per clip",
     "all three SSL baselines average each clip's valid frames",
     "the released FC size implies the average; a missing one is taken as an omission"),
    ("Model selection",
     "the model after the last epoch",
     "the epoch with the best UA on the validation speakers (patience 4); TrainConfig.paper() keeps the last, as released",
     "selecting on held-out speakers matches the unseen-speaker question"),
    ("Embeddings in the t-SNE maps",
     "no plotting code is released: only figs/crema-d_tsne.png ('t-SNE of Whisper-Medium (CREMA-D)', "
     "'t-SNE of CoAtt+Multitask (CREMA-D)') and one README sentence; which embedding, and which clips, were "
     "projected is not found in the released code (model.py stores the 3072-d concatenation after dropout in "
     "self.combined_embeddings, which nothing in the released code reads)",
     "the Whisper encoder output averaged over each clip's frames, and CAMuLeNet's 128-d penultimate "
     "activation, for the test speakers of one fold",
     "the released choice cannot be confirmed; the penultimate activation is what the emotion head reads, "
     "and test speakers show the unseen-speaker case"),
    ("Compact configuration (CPU)",
     "released sizes (280 M parameters with Whisper-base, 94% of them in the flattened MFCC layer)",
     "narrower AlexNet-shaped convs, mel averaged to 25 frames/s, MFCC to 12.5 frames/s, one-layer BiGRU (64) "
     "with mean pooling, 128-d branches, lr 3e-4, gradient norm clipped at 5",
     "the released sizes do not train on two CPU cores in the book's time budget; `paper` config is kept and tested"),
]


def as_markdown() -> str:
    """The list as Markdown, one item per deviation (a four-column table is too wide for a page)."""
    def esc(text: str) -> str:
        return text.replace("*", r"\*")

    return "\n".join(f"- **{esc(topic)}.** *Released code:* {esc(released)}. *This edition:* {esc(ours)}. "
                     f"*Why:* {esc(why)}." for topic, released, ours, why in DEVIATIONS)
