// A collective in flight: what Communicator::StartAllReduceSum returns. Its tensor holds the result once Wait()
// returns; until then the caller must neither read nor write it.
//
// Example:
//   std::unique_ptr<CollectiveWork> work = comm.StartAllReduceSum(bucket);
//   ...                     // compute that does not touch `bucket` (the rest of backward)
//   work->Wait();           // bucket = sum over ranks
#ifndef ZEGCLIP_DISTRIBUTED_COLLECTIVE_WORK_H_
#define ZEGCLIP_DISTRIBUTED_COLLECTIVE_WORK_H_

namespace zegclip::distributed {

class CollectiveWork {
 public:
  virtual ~CollectiveWork() = default;
  // Blocks until the result is in the tensor (nccl: until the caller's current CUDA stream is ordered after the
  // collective). Rethrows an error the collective raised (a bad argument; a failing peer aborts instead). Call once.
  virtual void Wait() = 0;
};

// Work that finished before it was returned (the single backend; backends that run a call synchronously).
class CompletedWork : public CollectiveWork {
 public:
  void Wait() override {}
};

}  // namespace zegclip::distributed

#endif  // ZEGCLIP_DISTRIBUTED_COLLECTIVE_WORK_H_
