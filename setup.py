"""The extension esvgd._core for `pip install --no-build-isolation .`: the project's CMake builds the
target esvgd_python (tests, benchmarks and fuzzers off) and setuptools packages it with python/esvgd.
ESVGD_BUILD_DIR=<a configured build folder> reuses an existing build instead of a fresh one."""
import glob
import os
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = os.environ.get("ESVGD_BUILD_DIR") or os.path.join(ROOT, "build-pip", "cmake")
        if not os.path.exists(os.path.join(build, "CMakeCache.txt")):
            subprocess.run(["cmake", "-S", ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=Release", "-DESVGD_BUILD_TESTS=OFF",
                            "-DESVGD_BUILD_BENCH=OFF", "-DESVGD_BUILD_FUZZERS=OFF",
                            f"-DPython_EXECUTABLE={sys.executable}"], check=True)
        subprocess.run(["cmake", "--build", build, "--target", "esvgd_python", "-j", str(os.cpu_count() or 1)],
                       check=True)
        built = glob.glob(os.path.join(build, "python", "esvgd", "_core*.so"))
        if not built:
            raise RuntimeError(f"esvgd: the build in {build} made no python/esvgd/_core*.so")
        os.makedirs(os.path.dirname(self.get_ext_fullpath(ext.name)), exist_ok=True)
        shutil.copy2(built[0], self.get_ext_fullpath(ext.name))


setup(ext_modules=[Extension("esvgd._core", sources=[])], cmdclass={"build_ext": CMakeBuild},
      options={"build": {"build_base": "build-pip"}, "egg_info": {"egg_base": "build-pip"}})
