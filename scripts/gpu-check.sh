#!/usr/bin/env bash
# GPU check: the tiny CoIN-mini sequence (3 LoRA stages and 3 MoELoRA stages, then predictions) on
# CUDA in bf16, printing training throughput (tokens/s) and prediction time per stage.
#   bash scripts/gpu-check.sh [WORKDIR]        (needs node for the CoIN-mini generator, and a GPU)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
python3 - <<'PY'
import torch, sys
if not torch.cuda.is_available():
    sys.exit("gpu-check: no CUDA device visible")
print(f"torch {torch.__version__}, {torch.cuda.get_device_name(0)}, bf16 {torch.cuda.is_bf16_supported()}")
PY
node --import tsx datasets/coin-mini/generate-cli.ts --out "$work/coin-mini" --seed 0 --train 400 --test 100 \
  --tasks scienceqa,textvqa,imagenet >/dev/null
python3 -m scripts.render_scenes --source "$work/coin-mini" --out "$work/png" --size 32
python3 -m scripts.tiny_model --kind llava --data "$work"/coin-mini/*/train.json --out "$work/base" \
  --hidden 256 --layers 4 >/dev/null
for method in lora moelora; do
  prev=()
  k=0
  for task in ScienceQA TextVQA ImageNet; do
    k=$((k + 1))
    out="$work/$method-$k"
    python3 -m scripts.train --device cuda --model "$work/base" "${prev[@]}" --data "$work/coin-mini/$task/train.json" \
      --image-folder "$work/png" --method "$method" --epochs 2 --batch-size 32 --lr 2e-4 --out "$out" \
      | grep -v '"coin":"progress"'
    python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print('  dtype', s['dtype'], 'final loss', s['log_history'][-1]['loss'])" "$out/trainer_state.json"
    test_file=$(ls "$work/coin-mini/$task"/{test,val}.json 2>/dev/null | head -1)
    start=$(date +%s.%N)
    python3 -m scripts.predict --device cuda --model "$work/base" --checkpoint "$out" --data "$test_file" \
      --image-folder "$work/png" --batch-size 64 --out "$work/pred-$method-$k" | grep -v '"coin":"progress"'
    echo "  predict $method stage $k: $(python3 -c "import sys,time; print(round(time.time()-float(sys.argv[1]),1))" "$start") s (incl. start-up)"
    prev=(--prev "$out")
  done
done
echo "gpu-check: ok ($work)"
