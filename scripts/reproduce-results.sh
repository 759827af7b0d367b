#!/usr/bin/env bash
# Runs every experiment (sampling, then the EBMs) with the paper preset (qm9: reduced, see below), copies the figures the README shows into
# docs/figures/, and prints each summary table (the numbers in docs/results.md come from here).
# Usage: scripts/reproduce-results.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
build=${1:-build}
out=${2:-results/paper}
experiments=(c4-gaussians circles spheres ablation-efficiency ablation-init jem-c4 ebm-circles dw4)
for e in "${experiments[@]}"; do
  /usr/bin/time -f "$e: %e s wall, %M KB peak" "$build/esvgd" run "$e" --preset paper --out "$out/$e" --quiet
done
mkdir -p docs/figures
cp "$out/c4-gaussians/particles.png" docs/figures/c4-gaussians.png
cp "$out/circles/particles.png" docs/figures/circles.png
cp "$out/spheres/particles.png" docs/figures/spheres.png
cp "$out/ablation-efficiency/log_prob_curves.png" docs/figures/ablation-efficiency.png
cp "$out/ablation-init/final_log_prob_boxplot.png" docs/figures/ablation-init.png
cp "$out/jem-c4/figure9.png" docs/figures/jem-c4.png
cp "$out/ebm-circles/figure10.png" docs/figures/ebm-circles.png
for f in states samples energies ablation training; do cp "$out/dw4/$f.png" "docs/figures/dw4-$f.png"; done
# qm9: the paper preset needs ~2 days on 2 cores (docs/results.md); this is its CPU reduction.
/usr/bin/time -f "qm9: %e s wall, %M KB peak" "$build/esvgd" run qm9 --preset paper --set train.epochs=100 \
  --set svgd.steps=250 --set train.checkpoint_every=10 --out "$out/qm9" --quiet
cp "$out/qm9/molecules_e-ebm+e-svgd.png" docs/figures/qm9-molecules.png
for f in data_molecules distances training; do cp "$out/qm9/$f.png" "docs/figures/qm9-$f.png"; done
experiments+=(qm9)
# fashion-mnist: the paper preset is for a GPU (device=cuda); this is its 2-core reduction.
/usr/bin/time -f "fashion-mnist: %e s wall, %M KB peak" "$build/esvgd" run fashion-mnist --preset cpu --threads 2 \
  --out "$out/fashion-mnist" --quiet
cp "$out/fashion-mnist/conditional_e-ebm+e-svgd.png" docs/figures/fashion-mnist-conditional.png
for f in data training negatives_e-ebm+e-svgd samples_e-ebm+e-svgd; do cp "$out/fashion-mnist/$f.png" "docs/figures/fashion-mnist-$f.png"; done
experiments+=(fashion-mnist)
# dw4 --preset tuned over three seeds (docs/results.md: mean ± sd of every column).
for seed in 1 2 3; do
  /usr/bin/time -f "dw4 tuned seed $seed: %e s wall, %M KB peak" "$build/esvgd" run dw4 --preset tuned --threads 1 \
    --seed "$seed" --out "$out/dw4-tuned-seed$seed" --quiet
done
for f in samples energies training; do cp "$out/dw4-tuned-seed1/$f.png" "docs/figures/dw4-tuned-$f.png"; done
# fashion-mnist --preset tuned (Langevin negatives, judged by the supervised C4-CNN).
/usr/bin/time -f "fashion-mnist tuned: %e s wall, %M KB peak" "$build/esvgd" run fashion-mnist --preset tuned \
  --threads 1 --out "$out/fashion-mnist-tuned" --quiet
for f in {conditional,samples}_{ebm+langevin,e-ebm+langevin}; do
  cp "$out/fashion-mnist-tuned/$f.png" "docs/figures/fashion-mnist-tuned-$f.png"
done
experiments+=(fashion-mnist-tuned)
for e in "${experiments[@]}"; do
  echo
  cat "$out/$e/summary.md"
done
echo
/usr/bin/python3 scripts/aggregate_seeds.py "$out"/dw4-tuned-seed{1,2,3}/metrics.json
