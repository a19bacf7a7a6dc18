// Built only by the CMake mirror on CUDA hosts with NCCL (ZEGCLIP_WITH_NCCL); see nccl_communicator.h.
#include "zegclip/distributed/nccl_communicator.h"

#ifdef ZEGCLIP_WITH_NCCL

#include <cstdio>
#include <thread>

#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>

namespace zegclip::distributed {
namespace {

ncclDataType_t ToNcclType(at::ScalarType dtype, const char* call) {
  switch (dtype) {
    case at::kFloat: return ncclFloat32;
    case at::kDouble: return ncclFloat64;
    case at::kHalf: return ncclFloat16;
#if defined(__CUDA_BF16_TYPES_EXIST__) || (defined(NCCL_VERSION_CODE) && NCCL_VERSION_CODE >= NCCL_VERSION(2, 19, 0))
    case at::kBFloat16: return ncclBfloat16;
#endif
    case at::kInt: return ncclInt32;
    case at::kLong: return ncclInt64;
    case at::kByte: return ncclUint8;
    case at::kChar: return ncclInt8;
    case at::kBool: return ncclUint8;  // Broadcast only (checked by the caller)
    default:
      TORCH_CHECK(false, call, ": dtype ", dtype,
                  " is not supported by the nccl backend (float32, float64, float16, bfloat16, int32, int64, uint8, "
                  "int8; bool for Broadcast)");
  }
}

cudaStream_t CurrentStream(int device) {
  return c10::cuda::getCurrentCUDAStream(static_cast<c10::DeviceIndex>(device)).stream();
}

// A high-priority stream from PyTorch's pool: known to the caching allocator, so recordStream works on it.
c10::cuda::CUDAStream CommStream(int device) {
  return c10::cuda::getStreamFromPool(/*isHighPriority=*/true, static_cast<c10::DeviceIndex>(device));
}

}  // namespace

NcclCommunicator::NcclCommunicator(double timeout_seconds)
    : control_(std::make_unique<MpiCommunicator>(timeout_seconds)) {
  watchdog_ = std::make_unique<CollectiveWatchdog>(timeout_seconds, [this](const std::string& why) { Abort(why); });
  const int gpus = static_cast<int>(c10::cuda::device_count());
  if (control_->local_size() > gpus || local_rank() >= gpus) {
    control_->Abort("nccl backend: " + std::to_string(control_->local_size()) + " ranks on this host (local rank " +
                    std::to_string(local_rank()) + ") but only " + std::to_string(gpus) +
                    " CUDA device(s); launch at most one rank per GPU (mpirun -np <= " + std::to_string(gpus) +
                    " per host)");
  }
  CheckCuda(cudaSetDevice(local_rank()), "cudaSetDevice");

  ncclUniqueId id;
  if (rank() == 0) CheckNccl(ncclGetUniqueId(&id), "ncclGetUniqueId");
  control_->BroadcastBytes(&id, sizeof(id), /*root=*/0);
  {
    CollectiveWatchdog::Scope scope(*watchdog_, "ncclCommInitRank");
    CheckNccl(ncclCommInitRank(&comm_, size(), id, rank()), "ncclCommInitRank");
  }
  cudaEvent_t event = nullptr;
  CheckCuda(cudaEventCreateWithFlags(&event, cudaEventDisableTiming), "cudaEventCreateWithFlags");
  event_ = event;
  comm_stream_ = CommStream(local_rank()).stream();
}

NcclCommunicator::~NcclCommunicator() {
  watchdog_.reset();
  if (event_ != nullptr) cudaEventDestroy(static_cast<cudaEvent_t>(event_));
  if (comm_ != nullptr) ncclCommDestroy(comm_);
}

void NcclCommunicator::CheckNccl(ncclResult_t result, const char* call) {
  if (result == ncclSuccess) return;
  Abort(std::string(call) + " failed: " + ncclGetErrorString(result));
}

void NcclCommunicator::CheckCuda(int error, const char* call) {
  if (error == cudaSuccess) return;
  Abort(std::string(call) + " failed: " + cudaGetErrorString(static_cast<cudaError_t>(error)));
}

void NcclCommunicator::Abort(const std::string& why) {
  std::fprintf(stderr, "%s aborting (nccl): %s\n", RankTag().c_str(), why.c_str());
  std::fflush(stderr);
  // Abort NCCL first so kernels waiting on a dead peer are torn down, then MPI takes every rank down.
  if (comm_ != nullptr) ncclCommAbort(comm_);
  control_->Abort(why);
}

void NcclCommunicator::CheckDeviceTensor(const at::Tensor& tensor, const char* call) const {
  CheckCollectiveInput(tensor, call);
  TORCH_CHECK(tensor.is_cuda() && tensor.get_device() == local_rank(), call, ": the nccl backend of rank ", rank(),
              " needs tensors on cuda:", local_rank(), " (got ", tensor.device(), ")");
}

void NcclCommunicator::WaitFor(void* stream, const char* call) {
  CheckCuda(cudaEventRecord(static_cast<cudaEvent_t>(event_), static_cast<cudaStream_t>(stream)), "cudaEventRecord");
  WaitForEvent(event_, call);
}

void NcclCommunicator::WaitForEvent(void* event_ptr, const char* call) {
  cudaEvent_t event = static_cast<cudaEvent_t>(event_ptr);
  CollectiveWatchdog::Scope scope(*watchdog_, call);
  while (true) {
    const cudaError_t state = cudaEventQuery(event);
    if (state == cudaSuccess) return;
    if (state != cudaErrorNotReady) CheckCuda(state, call);
    ncclResult_t async_error = ncclSuccess;
    CheckNccl(ncclCommGetAsyncError(comm_, &async_error), "ncclCommGetAsyncError");
    CheckNccl(async_error, call);
    std::this_thread::yield();
  }
}

// An allreduce queued on the communication stream; `done` is recorded after it there.
class NcclCommunicator::AllReduceWork : public CollectiveWork {
 public:
  AllReduceWork(NcclCommunicator* comm, cudaEvent_t done) : comm_(comm), done_(done) {}
  ~AllReduceWork() override { cudaEventDestroy(done_); }
  void Wait() override {
    comm_->CheckCuda(cudaStreamWaitEvent(CurrentStream(comm_->local_rank()), done_, 0), "cudaStreamWaitEvent");
    comm_->WaitForEvent(done_, "ncclAllReduce");
  }

 private:
  NcclCommunicator* comm_;
  cudaEvent_t done_;
};

std::unique_ptr<CollectiveWork> NcclCommunicator::StartAllReduceSum(const at::Tensor& tensor) {
  CheckDeviceTensor(tensor, "AllReduceSum");
  TORCH_CHECK(tensor.scalar_type() != at::kBool, "AllReduceSum: bool tensors cannot be summed");
  const ncclDataType_t type = ToNcclType(tensor.scalar_type(), "AllReduceSum");
  cudaStream_t comm_stream = static_cast<cudaStream_t>(comm_stream_);
  // The allreduce starts after whatever the caller's stream has queued so far (the kernels writing the tensor).
  cudaEvent_t ready = nullptr, done = nullptr;
  CheckCuda(cudaEventCreateWithFlags(&ready, cudaEventDisableTiming), "cudaEventCreateWithFlags");
  CheckCuda(cudaEventRecord(ready, CurrentStream(local_rank())), "cudaEventRecord");
  CheckCuda(cudaStreamWaitEvent(comm_stream, ready, 0), "cudaStreamWaitEvent");
  cudaEventDestroy(ready);  // released once the wait is satisfied
  // The caching allocator must not hand the tensor's memory to another stream while NCCL still uses it.
  c10::cuda::CUDACachingAllocator::recordStream(
      tensor.storage().data_ptr(),
      c10::cuda::getStreamFromExternal(comm_stream, static_cast<c10::DeviceIndex>(local_rank())));
  void* data = tensor.data_ptr();
  CheckNccl(ncclAllReduce(data, data, static_cast<size_t>(tensor.numel()), type, ncclSum, comm_, comm_stream),
            "ncclAllReduce");
  CheckCuda(cudaEventCreateWithFlags(&done, cudaEventDisableTiming), "cudaEventCreateWithFlags");
  CheckCuda(cudaEventRecord(done, comm_stream), "cudaEventRecord");
  return std::make_unique<AllReduceWork>(this, done);
}

void NcclCommunicator::Broadcast(at::Tensor& tensor, int root) {
  CheckDeviceTensor(tensor, "Broadcast");
  TORCH_CHECK(root >= 0 && root < size(), "Broadcast: root ", root, " is not a rank (size ", size(), ")");
  const ncclDataType_t type = ToNcclType(tensor.scalar_type(), "Broadcast");
  // On the communication stream too: one stream keeps every collective of this communicator in call order.
  cudaStream_t comm_stream = static_cast<cudaStream_t>(comm_stream_);
  CheckCuda(cudaEventRecord(static_cast<cudaEvent_t>(event_), CurrentStream(local_rank())), "cudaEventRecord");
  CheckCuda(cudaStreamWaitEvent(comm_stream, static_cast<cudaEvent_t>(event_), 0), "cudaStreamWaitEvent");
  void* data = tensor.data_ptr();
  CheckNccl(ncclBroadcast(data, data, static_cast<size_t>(tensor.numel()), type, root, comm_, comm_stream),
            "ncclBroadcast");
  WaitFor(comm_stream, "ncclBroadcast");  // the host waits: later work on any stream sees the result
}

void NcclCommunicator::Barrier() {
  // Host-side barrier: every collective above already waited for its GPU work.
  control_->Barrier();
}

}  // namespace zegclip::distributed

#endif  // ZEGCLIP_WITH_NCCL
