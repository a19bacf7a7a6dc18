# Flags that shrink a shipped paper experiment to a CI-sized run on a stand-in dataset (make_standin_dataset.py) and
# the tiny random CLIP of //zegclip/clip:make_test_clip_checkpoint (OpenAI's TorchScript layout and vocabulary).
# Only sizes and paths change: the experiment's settings, losses, queries, templates, schedules and readers are the
# shipped ones, so the run goes through the same code as the full-size one. Sourced by the tests; example:
#   source experiments/testing/standin_lib.sh
#   zegclip train --config=experiments/voc_inductive.pbtxt --work_dir=D "${STANDIN_FLAGS[@]}" \
#     --set=data.root=DATA --set=model.clip.checkpoint=CLIP.pt

# The tiny CLIP's architecture (make_test_clip_checkpoint.cc): the config's model.clip must describe the checkpoint
# (validation checks decoder width = embed_dim, prompt depth < layers); 2 image layers leave 1 for deep prompts.
STANDIN_CLIP_FLAGS=(
  --set=model.clip.pretrain_image_size=32 --set=model.clip.patch_size=16 --set=model.clip.vision_width=64
  --set=model.clip.vision_layers=2 --set=model.clip.vision_heads=2 --set=model.clip.embed_dim=32
  --set=model.clip.text_width=64 --set=model.clip.text_heads=2 --set=model.clip.text_layers=2
  --set=model.prompt_depth=1 --set=model.decoder.width=32 --set=model.decoder.heads=2
)
# 64-pixel crops of 64-pixel images (scale bounds shrunk with them, or the pipeline would upsample to 512 first),
# sliding-window evaluation with overlapping 64-pixel windows, 2 iterations of batch 2, one worker.
STANDIN_SIZE_FLAGS=(
  --set=data.crop_size=64 --set=data.scale_long=128 --set=data.scale_short=64 --set=data.batch_size_per_rank=2
  --set=data.num_workers=1 --set=eval.crop=64 --set=eval.stride=48 --set=eval.test_short_side=64 --set=eval.test_min_size=64
  --set=eval.test_long_side_max=128 --set=eval.batch_size=2 --set=train.max_iters=2 --set=report.example_images=1
)
STANDIN_FLAGS=("${STANDIN_CLIP_FLAGS[@]}" "${STANDIN_SIZE_FLAGS[@]}")
