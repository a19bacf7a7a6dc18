# Flags that shrink a synthetic-world quickstart to toy size, for the smoke tests (sourced): 3 pre-training steps of
# 16 pairs and 2 retrieval images per class, 3 training steps of 8 images, 32 train / 8 val images.
small=(--set=pretrain.max_iters=3 --set=pretrain.batch_size=16 --set=pretrain.retrieval_images_per_class=2
       --set=train.max_iters=3 --set=data.batch_size_per_rank=8 --set=data.synthetic.train_images=32
       --set=data.synthetic.val_images=8 --set=train.checkpoint_interval=2)
