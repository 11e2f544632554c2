"""Exports a torchvision CNN to ONNX with seeded weights (for benchmarks).

  export_torchvision.py --arch resnet18|vgg11|resnext50_32x4d|... -o OUT.onnx
                        [--batch N] [--size S] [--opset K] [--seed S]
                        [--input-npy X.npy]

Weights are torchvision's own initialisation under a fixed seed; the
BatchNorm statistics are then calibrated on one seeded random batch (one
forward pass in training mode with momentum 1), so activations keep a sane
scale through the depth of the network, and the model is exported in eval
mode with PyTorch's exporter (constant folding on: BN folds into the convs
where the exporter does so). Uses Debian's python3-torch / python3-torchvision.
"""
import argparse

import numpy as np
import torch
import torchvision


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--arch", required=True)
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--opset", type=int, default=13)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--input-npy")
    a = p.parse_args()
    torch.manual_seed(a.seed)
    # Inception v3's auxiliary classifier (used only in training mode, so
    # absent from the export) would need a 299x299 input for calibration.
    extra = {"aux_logits": False, "init_weights": True} if a.arch == "inception_v3" else {}
    model = getattr(torchvision.models, a.arch)(weights=None, **extra)
    calib = torch.randn(4, 3, a.size, a.size)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = 1.0
    model.train()
    with torch.no_grad():
        model(calib)
    model.eval()
    x = torch.randn(a.batch, 3, a.size, a.size)
    torch.onnx.export(model, x, a.output, opset_version=a.opset, input_names=["input"],
                      output_names=["logits"], do_constant_folding=True)
    if a.input_npy:
        np.save(a.input_npy, x.numpy())


if __name__ == "__main__":
    main()
