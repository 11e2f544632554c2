# -*- Python -*-
#===- test/lit.cfg.py - kiln lit configuration -----------------------------===#
#
# The lit + FileCheck suite of kiln. Normally loaded from the build tree's
# lit.site.cfg.py (configured by test/LitTests.cmake), which sets the paths:
#
#   lit -sv build/test                   # the whole suite (what check-kiln runs)
#   lit -sv test/Passes/fuse-conv.mlir   # one directory or file, from source
#
# Run from the source tree, this file looks for the site config given by
# `--param kiln_site_config=PATH`, else build/test/lit.site.cfg.py.
#
# Features:
#   torch            /usr/bin/python3 can `import torch` (PyTorch export tests)
#   aarch64-runtime  the build has lib/kiln/aarch64/libkiln_runtime.a
#   onnx-node-tests  ONNX's node tests (libonnx-testdata) are installed;
#                    %onnx_node_tests is their folder
#   qemu-aarch64     AArch64 programs run here: the AArch64 runtime and
#                    build/aarch64/bin/kiln-run are built and qemu-aarch64
#                    (Debian's qemu-user) is on PATH. Substitutions:
#                    %qemu_aarch64 (qemu-aarch64 -L /usr/aarch64-linux-gnu),
#                    %kiln_run_aarch64 (the cross-built kiln-run under it),
#                    %cc_aarch64 (clang for aarch64-linux-gnu, with lld).
#
#===------------------------------------------------------------------------===#
import os
import subprocess

import lit.formats
import lit.llvm
from lit.llvm.subst import ToolSubst


def load_site_config():
    here = os.path.dirname(os.path.abspath(__file__))
    site = lit_config.params.get(
        "kiln_site_config",
        os.path.join(here, "..", "build", "test", "lit.site.cfg.py"))
    if not os.path.isfile(site):
        lit_config.fatal(
            "no lit.site.cfg.py: run lit on the build tree's test/ directory "
            "(configured by test/LitTests.cmake), or pass "
            "--param kiln_site_config=BUILD/test/lit.site.cfg.py (looked for "
            "%s)" % site)
    lit_config.load_config(config, site)


def configure():
    lit.llvm.initialize(lit_config, config)
    from lit.llvm import llvm_config

    config.name = "kiln"
    config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
    config.suffixes = [".mlir", ".test"]
    config.test_source_root = os.path.join(config.kiln_src_root, "test")
    config.test_exec_root = os.path.join(config.kiln_obj_root, "test")
    # Inputs/ hold files that RUN lines use; runtime/ is the GoogleTest suite.
    config.excludes = ["Inputs", "runtime", "lit.cfg.py", "lit.site.cfg.py",
                       "CMakeLists.txt", "LitTests.cmake", "compare.py"]

    llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
    llvm_config.with_environment(
        "PATH", [config.kiln_tools_dir, config.llvm_tools_dir], append_path=True)
    # kiln-run and the models use one thread unless a test asks for more.
    llvm_config.with_environment("KILN_NUM_THREADS", "1")

    # %exitcode CMD...: runs CMD and prints `exit=N` (to check exact status).
    config.substitutions.append(
        ("%exitcode", "%s %s" % (config.python_executable, os.path.join(
            config.kiln_src_root, "test", "Tools", "Inputs", "exit_code.py"))))
    config.substitutions.append(("%python", config.python_executable))
    config.substitutions.append(("%models", os.path.join(config.kiln_src_root, "models")))
    config.substitutions.append(("%kiln_src", config.kiln_src_root))
    config.substitutions.append(("%kiln_lib", config.kiln_lib_dir))

    llvm_config.add_tool_substitutions(
        [ToolSubst("FileCheck", unresolved="fatal"),
         ToolSubst("split-file", unresolved="fatal"),
         ToolSubst("llvm-readelf", unresolved="fatal"),
         ToolSubst("llvm-objdump", unresolved="fatal"),
         ToolSubst("not", unresolved="fatal"),
         ToolSubst("count", unresolved="fatal")],
        [config.llvm_tools_dir])
    llvm_config.add_tool_substitutions(
        [ToolSubst(t, unresolved="fatal")
         for t in ("kiln-opt", "kiln-compile", "kiln-run", "kiln-verify")],
        [config.kiln_tools_dir])

    # Optional parts of the environment.
    try:
        subprocess.run([config.python_executable, "-c", "import torch"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True, timeout=120)
        config.available_features.add("torch")
    except (OSError, subprocess.SubprocessError):
        pass
    # ONNX Runtime (tools/ort, installed by tools/install-deps.sh) for the
    # op-by-op numerics sweep.
    ort_dir = os.path.join(config.kiln_src_root, "tools", "ort")
    import shutil
    if shutil.which("node") and os.path.isdir(
            os.path.join(ort_dir, "node_modules", "onnxruntime-node")):
        config.available_features.add("ort")
    config.substitutions.append(("%ort_dir", ort_dir))
    config.substitutions.append(("%kiln_bin", config.kiln_tools_dir))
    # A C compiler for the C API integration test. In a sanitizer build the
    # models carry the instrumented runtime, so the programs that load them
    # are built with the same checks (by clang, whose runtimes kiln uses).
    import shutil
    sanitize = getattr(config, "kiln_sanitize", "")
    for cc in (("clang-22",) if sanitize else ("cc", "clang-22", "gcc")):
        if shutil.which(cc):
            flags = " -fsanitize=%s -fno-sanitize-recover=all" % sanitize if sanitize else ""
            config.substitutions.append(("%cc", shutil.which(cc) + flags))
            config.available_features.add("cc")
            break
    if sanitize:
        config.available_features.add("sanitize-" + sanitize.replace(",", "-"))
    if os.path.isfile(os.path.join(config.kiln_lib_dir, "kiln", "aarch64",
                                   "libkiln_runtime.a")):
        config.available_features.add("aarch64-runtime")
    configure_aarch64_emulation(shutil)
    # ONNX's backend node tests (Debian's libonnx-testdata).
    node_tests = "/usr/share/libonnx-testdata/data/node"
    if os.path.isdir(node_tests):
        config.available_features.add("onnx-node-tests")
        config.substitutions.append(("%onnx_node_tests", node_tests))


def configure_aarch64_emulation(shutil):
    sysroot = "/usr/aarch64-linux-gnu"
    kiln_run = os.path.join(config.kiln_obj_root, "aarch64", "bin", "kiln-run")
    qemu = shutil.which("qemu-aarch64")
    clang = os.path.join(config.llvm_tools_dir, "clang")
    missing = [what for what, ok in (
        ("qemu-aarch64 (Debian package qemu-user)", qemu),
        ("the AArch64 runtime (libc6-dev-arm64-cross)",
         "aarch64-runtime" in config.available_features),
        ("build/aarch64/bin/kiln-run (libstdc++-12-dev-arm64-cross)",
         os.path.isfile(kiln_run))) if not ok]
    if missing:
        lit_config.note("AArch64 tests under emulation are skipped: missing " +
                        ", ".join(missing) + "; tools/install-deps.sh installs them")
        return
    config.available_features.add("qemu-aarch64")
    run = "%s -L %s" % (qemu, sysroot)
    # First in the list: lit substitutes in order, and %cc is a prefix.
    config.substitutions[0:0] = [
        ("%qemu_aarch64", run),
        ("%kiln_run_aarch64", "%s %s" % (run, kiln_run)),
        ("%cc_aarch64", "%s --target=aarch64-linux-gnu -fuse-ld=lld" % clang)]


if getattr(config, "kiln_obj_root", None) is None:
    load_site_config()
else:
    configure()
