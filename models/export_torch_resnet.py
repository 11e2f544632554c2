#!/usr/bin/python3
"""Export ResNet50 v1.5 with PyTorch's own ONNX exporter (torch.onnx.export).

The network is torchvision's ResNet layout (own copy of the module below, with
torchvision's attribute names, so the exported node names are the ones
torchvision's resnet50 gives; --torchvision uses torchvision.models.resnet50
itself).  Weights come from gen_resnet.resnet_params() with the same seed and
options, so the exported model computes the same function as
`gen_resnet.py --form bn/folded` with the same options (up to float rounding).

  export_torch_resnet.py -o build/models/torch-rn50-op13.onnx --opset 13
  export_torch_resnet.py -o x.onnx --opset 9 --keep-bn    # keeps BN nodes
  export_torch_resnet.py -o x.onnx --blocks 1,1,1,1 --size 32 --width 8 \
      --classes 10

Needs python3-torch (Debian 12: 1.13.1, exporter opsets 7..17); torchvision is
optional.  Does not need the onnx Python package except for --check/summary.
"""

import argparse
import collections
import hashlib
import os
import sys

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_resnet  # noqa: E402


def build_module(blocks, width, classes):
    import torch
    from torch import nn

    class Bottleneck(nn.Module):
        expansion = 4

        def __init__(self, inplanes, planes, stride, downsample):
            super().__init__()
            self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride,
                                   padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
            self.bn3 = nn.BatchNorm2d(planes * 4)
            self.relu = nn.ReLU(inplace=True)
            self.downsample = downsample

        def forward(self, x):
            identity = x
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.relu(self.bn2(self.conv2(out)))
            out = self.bn3(self.conv3(out))
            if self.downsample is not None:
                identity = self.downsample(x)
            out += identity
            return self.relu(out)

    class ResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, width, 7, stride=2, padding=3,
                                   bias=False)
            self.bn1 = nn.BatchNorm2d(width)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
            inplanes = width
            for li, n in enumerate(blocks):
                planes = width * 2 ** li
                stride = 1 if li == 0 else 2
                layers = []
                for bi in range(n):
                    ds = None
                    if bi == 0:
                        ds = nn.Sequential(
                            nn.Conv2d(inplanes, planes * 4, 1,
                                      stride=stride, bias=False),
                            nn.BatchNorm2d(planes * 4))
                    layers.append(Bottleneck(inplanes, planes,
                                             stride if bi == 0 else 1, ds))
                    inplanes = planes * 4
                setattr(self, "layer%d" % (li + 1), nn.Sequential(*layers))
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(inplanes, classes)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            x = torch.flatten(self.avgpool(x), 1)
            return self.fc(x)

    return ResNet()


def summarize(path):
    import onnx
    m = onnx.load(path)
    ops = collections.Counter(n.op_type for n in m.graph.node)
    ident = [n for n in m.graph.node if n.op_type == "Identity"]
    inits = {t.name for t in m.graph.initializer}
    print("  ir_version=%d opset=%s nodes=%d initializers=%d graph_inputs=%d"
          % (m.ir_version,
             ",".join("%s:%d" % (o.domain or "ai.onnx", o.version)
                      for o in m.opset_import),
             len(m.graph.node), len(m.graph.initializer),
             len(m.graph.input)))
    print("  ops: " + ", ".join("%s=%d" % kv for kv in sorted(ops.items())))
    if ident:
        print("  Identity nodes: %d, e.g. %s: %s -> %s (input is %s)"
              % (len(ident), ident[0].name, ident[0].input[0],
                 ident[0].output[0],
                 "an initializer" if ident[0].input[0] in inits
                 else "not an initializer"))
    else:
        print("  Identity nodes: none")
    names = [t.name for t in m.graph.initializer][:3]
    print("  initializer names, e.g.: " + ", ".join(names))
    return m


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--opset", type=int, default=13, help="9..17")
    ap.add_argument("--constant-folding", dest="fold", action="store_true",
                    default=True,
                    help="do_constant_folding=True (default): BN is folded "
                         "into the convs")
    ap.add_argument("--no-constant-folding", dest="fold",
                    action="store_false",
                    help="do_constant_folding=False: BN nodes are kept")
    ap.add_argument("--training", choices=("eval", "preserve"),
                    default="eval",
                    help="torch.onnx.TrainingMode (model is in eval mode "
                         "either way). torch 1.13 folds BN into the convs "
                         "whenever training=EVAL (its eval peephole pass), "
                         "even with --no-constant-folding; only PRESERVE "
                         "keeps BatchNormalization nodes")
    ap.add_argument("--keep-bn", action="store_true",
                    help="shorthand for --training preserve "
                         "--no-constant-folding")
    ap.add_argument("--keep-initializers-as-inputs", action="store_true")
    ap.add_argument("--dynamic-batch", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--blocks", type=gen_resnet.parse_blocks,
                    default=(3, 4, 6, 3))
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--classes", type=int, default=1000)
    ap.add_argument("--torchvision", action="store_true",
                    help="use torchvision.models.resnet50 (default shape "
                         "options only)")
    ap.add_argument("--check", action="store_true",
                    help="run onnx.checker on the result")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)
    if a.keep_bn:
        a.training, a.fold = "preserve", False
    if not 7 <= a.opset <= 17:
        ap.error("torch 1.13's exporter supports opsets 7..17")

    import torch
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    if a.torchvision:
        if (a.blocks, a.width) != ((3, 4, 6, 3), 64):
            ap.error("--torchvision needs the default --blocks and --width")
        import torchvision
        model = torchvision.models.resnet50(num_classes=a.classes)
    else:
        model = build_module(a.blocks, a.width, a.classes)
    params = gen_resnet.resnet_params(a.seed, a.blocks, a.width, a.classes,
                                      a.size)
    sd = model.state_dict()
    for k, v in params.items():
        assert sd[k].shape == v.shape, k
        sd[k] = torch.from_numpy(v.copy())
    model.load_state_dict(sd)
    model.eval()

    x = torch.from_numpy(gen_resnet.make_input(a.seed, (a.batch, 3, a.size,
                                                        a.size)))
    dyn = ({"input": {0: "batch"}, "output": {0: "batch"}}
           if a.dynamic_batch else None)
    with torch.no_grad():
        torch.onnx.export(
            model, x, a.output, export_params=True, opset_version=a.opset,
            do_constant_folding=a.fold,
            training=(torch.onnx.TrainingMode.EVAL if a.training == "eval"
                      else torch.onnx.TrainingMode.PRESERVE),
            input_names=["input"], output_names=["output"],
            dynamic_axes=dyn,
            keep_initializers_as_inputs=a.keep_initializers_as_inputs)
    data = open(a.output, "rb").read()
    print("wrote %s: torch %s, opset %d, constant folding %s, training=%s, "
          "%d bytes, sha256=%s"
          % (a.output, torch.__version__, a.opset, a.fold, a.training,
             len(data), hashlib.sha256(data).hexdigest()))
    if not a.quiet or a.check:
        try:
            m = summarize(a.output)
        except ImportError:
            m = None
        if a.check and m is not None:
            import onnx
            onnx.checker.check_model(m)
            print("  onnx.checker: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
