"""Independent PyTorch reference of the VideoMamba and VideoMambaPro backbones, and the generator of the
committed test fixtures under tests/fixtures/reference/.

Why it exists: the agent imports official `.pth` checkpoints, builds its own ONNX graph and runs it in ONNX
Runtime with our SelectiveScan operator. Nothing in that chain may be checked against itself, so this file
writes the model once more, straight from the equations in DESIGN.md section 3, and shares no code with the
official repositories or with our C#/C++ side. It favours plainness over speed: every step is a small
function, the whole forward pass runs in float64 (weights are stored as float32 and upcast), and the
selective scan is a sequential loop over tokens. Outputs are saved as float32; the C# tests compare ONNX
Runtime's float32 results against them within 1e-4.

What it writes (see tests/fixtures/reference/README.md): a small random checkpoint in the official key names
and shapes (a flat state_dict saved with torch.save's default zip format), a fixed input clip, and the CLS
embedding, patch tokens and logits of both architectures; plus the same checkpoint run at 8 frames and 48x48
pixels, which forces the positional embeddings to be interpolated.

Run from the repository root (needs Debian's python3-torch and python3-numpy, CPU only, a few seconds):

    /usr/bin/python3 tests/reference/videomamba_reference.py

Everything is seeded, so a rerun reproduces the committed files; after the files are written, the script runs
its self-checks (parameter count of the official tiny model, the two architectures differ, the backward branch
matters, the saved checkpoint reloads to the same outputs) and fails loudly if one does not hold.
"""

from __future__ import annotations

import math
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ARCHS = ("videomamba", "videomambapro")
FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "reference"


# --------------------------------------------------------------------------------------------------------------
# Configuration and checkpoint layout
# --------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Config:
    embed_dim: int
    depth: int
    num_frames: int
    img_size: int
    num_classes: int
    patch_size: int = 16
    d_state: int = 16
    d_conv: int = 4
    expand: int = 2
    eps: float = 1e-5

    @property
    def d_inner(self) -> int:
        return self.expand * self.embed_dim

    @property
    def dt_rank(self) -> int:
        return math.ceil(self.embed_dim / 16)

    @property
    def grid(self) -> int:
        """Patches per side (tubelet 1: one token per frame and patch)."""
        return self.img_size // self.patch_size

    @property
    def num_tokens(self) -> int:
        return 1 + self.num_frames * self.grid * self.grid


# The official tiny model as fine-tuned on Kinetics-400 with 16 frames: used only to check the parameter count.
TINY_K400 = Config(embed_dim=192, depth=24, num_frames=16, img_size=224, num_classes=400)
# The fixture model: small enough to commit, large enough that every tensor has a non-trivial shape.
FIXTURE = Config(embed_dim=64, depth=2, num_frames=4, img_size=32, num_classes=10)
# The same checkpoint run at another clip size; its positional embeddings get interpolated.
FIXTURE_T8_S48 = replace(FIXTURE, num_frames=8, img_size=48)


def mixer_shapes(cfg: Config) -> "OrderedDict[str, tuple]":
    """One bidirectional Mamba mixer; the backward direction has its own copy of every scan parameter."""
    di, n, r = cfg.d_inner, cfg.d_state, cfg.dt_rank
    shapes = OrderedDict()
    shapes["A_log"] = (di, n)
    shapes["D"] = (di,)
    shapes["A_b_log"] = (di, n)
    shapes["D_b"] = (di,)
    shapes["in_proj.weight"] = (2 * di, cfg.embed_dim)
    for suffix in ("", "_b"):
        shapes[f"conv1d{suffix}.weight"] = (di, 1, cfg.d_conv)
        shapes[f"conv1d{suffix}.bias"] = (di,)
        shapes[f"x_proj{suffix}.weight"] = (r + 2 * n, di)
        shapes[f"dt_proj{suffix}.weight"] = (di, r)
        shapes[f"dt_proj{suffix}.bias"] = (di,)
    shapes["out_proj.weight"] = (cfg.embed_dim, di)
    return shapes


def checkpoint_shapes(cfg: Config) -> "OrderedDict[str, tuple]":
    """Every key of an official checkpoint and its shape: the single source of truth for making, checking and
    counting. The order follows the official state_dict; a loader must not depend on it."""
    d, p = cfg.embed_dim, cfg.patch_size
    shapes = OrderedDict()
    shapes["cls_token"] = (1, 1, d)
    shapes["pos_embed"] = (1, 1 + cfg.grid * cfg.grid, d)
    shapes["temporal_pos_embedding"] = (1, cfg.num_frames, d)
    shapes["patch_embed.proj.weight"] = (d, 3, 1, p, p)
    shapes["patch_embed.proj.bias"] = (d,)
    shapes["head.weight"] = (cfg.num_classes, d)
    shapes["head.bias"] = (cfg.num_classes,)
    for i in range(cfg.depth):
        for key, shape in mixer_shapes(cfg).items():
            shapes[f"layers.{i}.mixer.{key}"] = shape
        shapes[f"layers.{i}.norm.weight"] = (d,)
    shapes["norm_f.weight"] = (d,)
    return shapes


def count_parameters(cfg: Config) -> int:
    return sum(math.prod(shape) for shape in checkpoint_shapes(cfg).values())


# --------------------------------------------------------------------------------------------------------------
# Random weights in which every path matters
# --------------------------------------------------------------------------------------------------------------

def inverse_softplus(y: np.ndarray) -> np.ndarray:
    return y + np.log(-np.expm1(-y))


def random_tensor(key: str, shape: tuple, rng: np.random.Generator) -> np.ndarray:
    """Not the pristine initialisation (which zeroes biases, sets D to exactly 1 and so on, and would let a
    wrong implementation pass): every parameter is perturbed, and the projections are scaled up so each
    mixer visibly changes the residual stream."""
    name = key.split(".", 2)[-1] if key.startswith("layers.") else key
    if name in ("cls_token", "pos_embed", "temporal_pos_embedding"):
        return rng.normal(0.0, 0.1, shape)
    if name.endswith("norm.weight") or name == "norm_f.weight":
        return 1.0 + rng.normal(0.0, 0.1, shape)
    if name in ("mixer.A_log", "mixer.A_b_log"):
        # The S4D-real start A = -(1..N) per channel, jittered so no two channels share a decay.
        return np.log(np.arange(1, shape[1] + 1))[None, :] + rng.normal(0.0, 0.1, shape)
    if name in ("mixer.D", "mixer.D_b"):
        return 1.0 + rng.normal(0.0, 0.2, shape)
    if name.endswith("dt_proj.bias") or name.endswith("dt_proj_b.bias"):
        # softplus(bias) log-uniform in [1e-3, 1e-1]: the step sizes Mamba trains from.
        step = np.exp(rng.uniform(math.log(1e-3), math.log(1e-1), shape))
        return inverse_softplus(step)
    if name.endswith("dt_proj.weight") or name.endswith("dt_proj_b.weight"):
        bound = shape[1] ** -0.5
        return rng.uniform(-bound, bound, shape)
    if ".conv1d" in name:
        return rng.uniform(-0.5, 0.5, shape) if name.endswith("weight") else rng.uniform(-0.2, 0.2, shape)
    if name.endswith(("in_proj.weight", "out_proj.weight", "x_proj.weight", "x_proj_b.weight")):
        return rng.normal(0.0, 0.15, shape)
    if name == "head.weight":
        return rng.normal(0.0, 0.05, shape)
    if name.endswith("bias"):  # patch_embed.proj.bias, head.bias
        return rng.normal(0.0, 0.1, shape)
    if name == "patch_embed.proj.weight":
        return rng.normal(0.0, 0.02, shape)
    raise KeyError(f"no initialisation rule for {key}")


def make_checkpoint(cfg: Config, seed: int) -> "OrderedDict[str, torch.Tensor]":
    rng = np.random.default_rng(seed)
    state = OrderedDict()
    for key, shape in checkpoint_shapes(cfg).items():
        # Own contiguous storage per tensor, float32, as in an official file.
        state[key] = torch.from_numpy(random_tensor(key, shape, rng).astype(np.float32)).clone()
    return state


# --------------------------------------------------------------------------------------------------------------
# Loading a checkpoint for a given clip size
# --------------------------------------------------------------------------------------------------------------

def resize_spatial_pos_embed(pos_embed: torch.Tensor, grid: int) -> torch.Tensor:
    """(1, 1+h*w, D) -> (1, 1+grid*grid, D): the cls entry is kept, the patch grid is resized bicubically."""
    cls_entry, patches = pos_embed[:, :1], pos_embed[:, 1:]
    old = math.isqrt(patches.shape[1])
    if old == grid:
        return pos_embed
    d = patches.shape[-1]
    image = patches.reshape(1, old, old, d).permute(0, 3, 1, 2)
    image = F.interpolate(image, size=(grid, grid), mode="bicubic", align_corners=False)
    patches = image.permute(0, 2, 3, 1).reshape(1, grid * grid, d)
    return torch.cat([cls_entry, patches], dim=1)


def resize_temporal_pos_embed(temporal: torch.Tensor, frames: int) -> torch.Tensor:
    """(1, T, D) -> (1, frames, D) by linear interpolation along time."""
    if temporal.shape[1] == frames:
        return temporal
    resized = F.interpolate(temporal.permute(0, 2, 1), size=frames, mode="linear", align_corners=False)
    return resized.permute(0, 2, 1)


def load_weights(checkpoint: "OrderedDict[str, torch.Tensor]", cfg: Config) -> dict:
    """Upcasts to float64 (the reference computes in double) and adapts the positional embeddings to cfg.
    Interpolating after the upcast keeps the reference exact; doing it in float32 differs by ~1e-8."""
    weights = {key: value.to(torch.float64) for key, value in checkpoint.items()}
    weights["pos_embed"] = resize_spatial_pos_embed(weights["pos_embed"], cfg.grid)
    weights["temporal_pos_embedding"] = resize_temporal_pos_embed(weights["temporal_pos_embedding"], cfg.num_frames)
    expected = checkpoint_shapes(cfg)
    for key, shape in expected.items():
        if tuple(weights[key].shape) != shape:
            raise ValueError(f"{key}: shape {tuple(weights[key].shape)}, expected {shape}")
    return weights


# --------------------------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------------------------

def silu(x: torch.Tensor) -> torch.Tensor:
    return x * torch.sigmoid(x)


def softplus(x: torch.Tensor) -> torch.Tensor:
    # The threshold of the official kernels: above 20 softplus(x) is x to float precision.
    return torch.where(x > 20, x, torch.log1p(torch.exp(x)))


def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    return x * torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + eps) * weight


def embed_tokens(video: torch.Tensor, w: dict, cfg: Config) -> torch.Tensor:
    """(B, 3, T, H, W) -> (B, L, D). Token 0 is cls (cls_token + pos_embed[0], no temporal embedding); then the
    patches t-major: index 1 + t*h*w + row*w + col, each with pos_embed[1 + n] + temporal_pos_embedding[t]."""
    b = video.shape[0]
    t, g, d = cfg.num_frames, cfg.grid, cfg.embed_dim
    patches = F.conv3d(video, w["patch_embed.proj.weight"], w["patch_embed.proj.bias"],
                       stride=(1, cfg.patch_size, cfg.patch_size))                     # (B, D, T, h, w)
    patches = patches.permute(0, 2, 3, 4, 1).reshape(b, t, g * g, d)                    # (B, T, h*w, D)
    patches = patches + w["pos_embed"][0, 1:][None, None] + w["temporal_pos_embedding"][0][None, :, None]
    cls = (w["cls_token"] + w["pos_embed"][:, :1]).expand(b, 1, d)
    return torch.cat([cls, patches.reshape(b, t * g * g, d)], dim=1)


def causal_depthwise_conv(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """x (B, C, L); weight (C, 1, K). Output t sees inputs t-K+1 .. t (zeros before the sequence)."""
    k = weight.shape[-1]
    padded = F.pad(x, (k - 1, 0))
    length = x.shape[-1]
    out = bias[None, :, None].expand_as(x).clone()
    for tap in range(k):
        out = out + weight[None, :, 0, tap, None] * padded[:, :, tap:tap + length]
    return out


def selective_scan(u, delta, a, b, c, d, z, delta_bias, mask_diagonal: bool, init_from_input: bool):
    """The selective scan, one token at a time. u, delta, z: (B, Di, L); a: (Di, N); b, c: (B, N, L);
    d, delta_bias: (Di,). Returns (B, Di, L).

    mask_diagonal (VideoMambaPro's backward branch): the output leaves out the token's own input term, and the
    first step outputs 0 before the skip and gate. init_from_input (VideoMambaPro, both branches): the state
    starts at the first scan input u[..., 0] on every state channel instead of 0."""
    batch, channels, length = u.shape
    states = a.shape[1]
    step = softplus(delta + delta_bias[None, :, None])
    if init_from_input:
        h = u[:, :, 0, None].expand(batch, channels, states).clone()
    else:
        h = torch.zeros(batch, channels, states, dtype=u.dtype)
    outputs = []
    for t in range(length):
        dt = step[:, :, t, None]                                   # (B, Di, 1)
        own_input = dt * b[:, None, :, t] * u[:, :, t, None]       # (B, Di, N): this token's write
        h = torch.exp(dt * a[None]) * h + own_input
        read = h - own_input if mask_diagonal else h
        y = (read * c[:, None, :, t]).sum(dim=-1)                  # (B, Di)
        if mask_diagonal and t == 0:
            y = torch.zeros_like(y)
        outputs.append(y)
    y = torch.stack(outputs, dim=-1) + d[None, :, None] * u
    return y * silu(z)


def mixer_branch(x, z, w: dict, prefix: str, suffix: str, cfg: Config, mask_diagonal: bool, init_from_input: bool):
    """One direction of the mixer on a sequence already in that direction's order. x, z: (B, Di, L)."""
    u = silu(causal_depthwise_conv(x, w[f"{prefix}conv1d{suffix}.weight"], w[f"{prefix}conv1d{suffix}.bias"]))
    projected = torch.einsum("kc,bcl->bkl", w[f"{prefix}x_proj{suffix}.weight"], u)    # (B, r + 2N, L)
    dt, b, c = torch.split(projected, [cfg.dt_rank, cfg.d_state, cfg.d_state], dim=1)
    delta = torch.einsum("cr,brl->bcl", w[f"{prefix}dt_proj{suffix}.weight"], dt)      # bias goes to the scan
    # The official names put the direction suffix inside this one key: A_log / A_b_log (but D / D_b).
    a_log = w[f"{prefix}A_log"] if suffix == "" else w[f"{prefix}A_b_log"]
    return selective_scan(u, delta, -torch.exp(a_log), b, c, w[f"{prefix}D{suffix}"], z,
                          w[f"{prefix}dt_proj{suffix}.bias"], mask_diagonal, init_from_input)


def mixer(hidden: torch.Tensor, w: dict, layer: int, cfg: Config, arch: str) -> torch.Tensor:
    """Bidirectional Mamba mixer: (B, L, D) -> (B, L, D)."""
    prefix = f"layers.{layer}.mixer."
    pro = arch == "videomambapro"
    xz = torch.einsum("kd,bld->bkl", w[prefix + "in_proj.weight"], hidden)              # (B, 2*Di, L)
    x, z = xz[:, :cfg.d_inner], xz[:, cfg.d_inner:]
    forward_y = mixer_branch(x, z, w, prefix, "", cfg, mask_diagonal=False, init_from_input=pro)
    # The backward direction is the same computation on the token-reversed sequence (z included), flipped back.
    backward_y = mixer_branch(x.flip(-1), z.flip(-1), w, prefix, "_b", cfg,
                              mask_diagonal=pro, init_from_input=pro).flip(-1)
    return torch.einsum("dk,bkl->bld", w[prefix + "out_proj.weight"], forward_y + backward_y)


def forward(video: torch.Tensor, w: dict, cfg: Config, arch: str) -> dict:
    """Returns the CLS embedding (B, D), the patch tokens (B, T, h, w, D) and the logits (B, classes), float64."""
    if arch not in ARCHS:
        raise ValueError(arch)
    residual = embed_tokens(video.to(torch.float64), w, cfg)
    hidden = mixer(rms_norm(residual, w["layers.0.norm.weight"], cfg.eps), w, 0, cfg, arch)
    for layer in range(1, cfg.depth):
        residual = residual + hidden
        hidden = mixer(rms_norm(residual, w[f"layers.{layer}.norm.weight"], cfg.eps), w, layer, cfg, arch)
    output = rms_norm(residual + hidden, w["norm_f.weight"], cfg.eps)
    embedding = output[:, 0]
    tokens = output[:, 1:].reshape(output.shape[0], cfg.num_frames, cfg.grid, cfg.grid, cfg.embed_dim)
    logits = embedding @ w["head.weight"].T + w["head.bias"]
    return {"embedding": embedding, "tokens": tokens, "logits": logits}


# --------------------------------------------------------------------------------------------------------------
# Fixtures and self-checks
# --------------------------------------------------------------------------------------------------------------

CHECKPOINT_SEED = 20240611
INPUT_SEED = 7
INPUT_T8_S48_SEED = 8


def random_clip(cfg: Config, batch: int, seed: int) -> torch.Tensor:
    """A clip that is already ImageNet-normalised: standard-normal values, float32, (B, 3, T, H, W)."""
    rng = np.random.default_rng(seed)
    shape = (batch, 3, cfg.num_frames, cfg.img_size, cfg.img_size)
    return torch.from_numpy(rng.standard_normal(shape).astype(np.float32))


def save_array(name: str, value: torch.Tensor) -> None:
    np.save(FIXTURE_DIR / name, value.to(torch.float32).numpy())


def max_abs_difference(a: dict, b: dict) -> float:
    return max((a[k] - b[k]).abs().max().item() for k in a)


def self_check(checkpoint, clip, outputs) -> None:
    tiny = count_parameters(TINY_K400)
    print(f"parameters at the official tiny config (D=192, depth 24, T=16, 224px, 400 classes): {tiny:,}")
    assert tiny == 7_035_280, tiny

    arch_difference = max_abs_difference(outputs["videomamba"], outputs["videomambapro"])
    print(f"max |videomamba - videomambapro| over embedding, tokens and logits: {arch_difference:.4g}")
    assert arch_difference > 1e-3

    weights = load_weights(checkpoint, FIXTURE)
    for arch in ARCHS:
        no_backward = dict(weights)
        for layer in range(FIXTURE.depth):
            key = f"layers.{layer}.mixer.x_proj_b.weight"
            no_backward[key] = torch.zeros_like(weights[key])
        difference = max_abs_difference(outputs[arch], forward(clip, no_backward, FIXTURE, arch))
        print(f"{arch}: max change when x_proj_b is zeroed: {difference:.4g}")
        assert difference > 1e-3

    path = FIXTURE_DIR / "checkpoint.pth"
    names = zipfile.ZipFile(path).namelist()
    assert any(n.endswith("/data.pkl") for n in names) and any("/data/" in n for n in names), names
    reloaded = torch.load(path)
    assert list(reloaded) == list(checkpoint)
    assert all(v.dtype == torch.float32 for v in reloaded.values())
    for arch in ARCHS:
        again = forward(clip, load_weights(reloaded, FIXTURE), FIXTURE, arch)
        assert max_abs_difference(outputs[arch], again) == 0.0
    print(f"checkpoint.pth reloads to identical outputs; zip entries: {len(names)} ({names[0]}, ...)")


def report_mixer_strength(checkpoint, clip) -> None:
    """How much each mixer moves the residual stream: a fixture where this is tiny would test nothing."""
    w = load_weights(checkpoint, FIXTURE)
    residual = embed_tokens(clip.to(torch.float64), w, FIXTURE)
    for layer in range(FIXTURE.depth):
        hidden = mixer(rms_norm(residual, w[f"layers.{layer}.norm.weight"], FIXTURE.eps), w, layer, FIXTURE,
                       "videomamba")
        ratio = hidden.norm() / residual.norm()
        print(f"layer {layer}: |mixer output| / |residual| = {ratio:.3f}")
        residual = residual + hidden


def main() -> None:
    FIXTURE_DIR.mkdir(parents=True, exist_ok=True)
    checkpoint = make_checkpoint(FIXTURE, CHECKPOINT_SEED)
    torch.save(checkpoint, FIXTURE_DIR / "checkpoint.pth")

    clip = random_clip(FIXTURE, batch=2, seed=INPUT_SEED)
    save_array("input.npy", clip)
    clip_t8_s48 = random_clip(FIXTURE_T8_S48, batch=1, seed=INPUT_T8_S48_SEED)
    save_array("input_t8_s48.npy", clip_t8_s48)

    outputs = {}
    for arch in ARCHS:
        outputs[arch] = forward(clip, load_weights(checkpoint, FIXTURE), FIXTURE, arch)
        for name, value in outputs[arch].items():
            save_array(f"{arch}_{name}.npy", value)
            print(f"{arch}_{name}: shape {tuple(value.shape)}, max |x| = {value.abs().max().item():.4f}")
        resized = forward(clip_t8_s48, load_weights(checkpoint, FIXTURE_T8_S48), FIXTURE_T8_S48, arch)
        save_array(f"{arch}_t8_s48_embedding.npy", resized["embedding"])
        print(f"{arch}_t8_s48_embedding: max |x| = {resized['embedding'].abs().max().item():.4f}")

    report_mixer_strength(checkpoint, clip)
    self_check(checkpoint, clip, outputs)


if __name__ == "__main__":
    main()
