#include "zegclip/distributed/mpi_communicator.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>

#include "zegclip/distributed/launcher_env.h"

namespace zegclip::distributed {
namespace {

// The collectives' thread yields to computing threads (collective_queue.h). Measured with allreduce_benchmark's
// overlap table, 2 ranks on 2 cores (benchmarks/REPORT_NOTES.md): at nice 0 the overlapped step was 12% slower than
// reducing after backward, at 19 as fast, with less waiting after backward.
constexpr int kQueueNiceness = 19;

// MPI counts are ints: larger tensors go in chunks of this many elements.
constexpr int64_t kMaxElementsPerCall = int64_t{1} << 30;

int g_thread_level = -1;
MPI_Op g_bf16_sum = MPI_OP_NULL;
MPI_Op g_half_sum = MPI_OP_NULL;

// MPI has no 16-bit float types: add in float32 and round back, the way NCCL does.
template <typename T>
void SumAsFloat(void* in, void* inout, int* len, MPI_Datatype* /*type*/) {
  const T* a = static_cast<const T*>(in);
  T* b = static_cast<T*>(inout);
  for (int i = 0; i < *len; ++i) b[i] = static_cast<T>(static_cast<float>(a[i]) + static_cast<float>(b[i]));
}

void FinalizeMpiAtExit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  if (g_bf16_sum != MPI_OP_NULL) MPI_Op_free(&g_bf16_sum);
  if (g_half_sum != MPI_OP_NULL) MPI_Op_free(&g_half_sum);
  MPI_Finalize();
}

// Initialises MPI once per process; it is finalised at exit only if this code initialised it.
void EnsureMpiInitialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (initialized) {
      MPI_Query_thread(&g_thread_level);
    } else {
      const int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &g_thread_level);
      if (rc != MPI_SUCCESS) {
        std::fprintf(stderr, "[rank ?] MPI_Init_thread failed with code %d; was the job launched by mpirun?\n", rc);
        std::_Exit(1);
      }
      std::atexit(FinalizeMpiAtExit);
    }
    MPI_Op_create(&SumAsFloat<c10::BFloat16>, /*commute=*/1, &g_bf16_sum);
    MPI_Op_create(&SumAsFloat<c10::Half>, /*commute=*/1, &g_half_sum);
  });
}

struct MpiType {
  MPI_Datatype type;
  MPI_Op sum;  // MPI_OP_NULL: this dtype cannot be summed
};

MpiType ToMpiType(at::ScalarType dtype, const char* call) {
  switch (dtype) {
    case at::kFloat: return {MPI_FLOAT, MPI_SUM};
    case at::kDouble: return {MPI_DOUBLE, MPI_SUM};
    case at::kInt: return {MPI_INT32_T, MPI_SUM};
    case at::kLong: return {MPI_INT64_T, MPI_SUM};
    case at::kByte: return {MPI_UINT8_T, MPI_SUM};
    case at::kChar: return {MPI_INT8_T, MPI_SUM};
    case at::kBFloat16: return {MPI_UINT16_T, g_bf16_sum};
    case at::kHalf: return {MPI_UINT16_T, g_half_sum};
    case at::kBool: return {MPI_C_BOOL, MPI_OP_NULL};
    default:
      TORCH_CHECK(false, call, ": dtype ", dtype,
                  " is not supported by the mpi backend (float32, float64, int32, int64, uint8, int8, bfloat16, "
                  "float16; bool for Broadcast)");
  }
}

// Calls `fn(offset, count)` over [0, numel) in chunks MPI's int counts can hold.
template <typename Fn>
void ForEachChunk(int64_t numel, Fn fn) {
  for (int64_t offset = 0; offset < numel; offset += kMaxElementsPerCall) {
    fn(offset, static_cast<int>(std::min(kMaxElementsPerCall, numel - offset)));
  }
}

}  // namespace

MpiCommunicator::MpiCommunicator(double timeout_seconds) {
  EnsureMpiInitialized();
  MPI_Comm_dup(MPI_COMM_WORLD, &comm_);
  MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);

  // Ranks sharing this host: the launcher's local rank when it gives one, else MPI's shared-memory split.
  MPI_Comm node = MPI_COMM_NULL;
  Check(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node), "MPI_Comm_split_type");
  int node_rank = 0;
  MPI_Comm_rank(node, &node_rank);
  MPI_Comm_size(node, &local_size_);
  MPI_Comm_free(&node);
  local_rank_ = LauncherLocalRank().value_or(node_rank);

  watchdog_ = std::make_unique<CollectiveWatchdog>(timeout_seconds, [this](const std::string& why) { Abort(why); });
  queue_ = std::make_unique<CollectiveQueue>(/*threaded=*/g_thread_level >= MPI_THREAD_SERIALIZED, kQueueNiceness);
}

MpiCommunicator::~MpiCommunicator() {
  queue_.reset();
  watchdog_.reset();
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized && comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

int MpiCommunicator::ThreadLevel() {
  EnsureMpiInitialized();
  return g_thread_level;
}

void MpiCommunicator::Check(int rc, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char message[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(rc, message, &length);
  Abort(std::string(call) + " failed: " + std::string(message, length));
}

void MpiCommunicator::Abort(const std::string& why) {
  std::fprintf(stderr, "%s aborting: %s\n", RankTag().c_str(), why.c_str());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::_Exit(1);  // MPI_Abort does not return; this is for MPI libraries that do.
}

std::unique_ptr<CollectiveWork> MpiCommunicator::StartAllReduceSum(const at::Tensor& tensor) {
  CheckCollectiveInput(tensor, "AllReduceSum");
  const MpiType type = ToMpiType(tensor.scalar_type(), "AllReduceSum");  // bad dtypes fail here, on the caller
  TORCH_CHECK(type.sum != MPI_OP_NULL, "AllReduceSum: dtype ", tensor.scalar_type(), " cannot be summed");
  if (tensor.is_cpu()) return queue_->Submit([this, tensor] { AllReduceSumHost(tensor); });
  at::Tensor host = tensor.cpu();  // staged: this backend has no GPU data path
  queue_->Run([this, host] { AllReduceSumHost(host); });
  at::Tensor target = tensor;
  target.copy_(host);
  return std::make_unique<CompletedWork>();
}

void MpiCommunicator::AllReduceSumHost(const at::Tensor& tensor) {
  const MpiType type = ToMpiType(tensor.scalar_type(), "AllReduceSum");
  char* base = static_cast<char*>(tensor.data_ptr());
  const int64_t item = tensor.element_size();
  CollectiveWatchdog::Scope scope(*watchdog_, "MPI_Allreduce");
  ForEachChunk(tensor.numel(), [&](int64_t offset, int count) {
    Check(MPI_Allreduce(MPI_IN_PLACE, base + offset * item, count, type.type, type.sum, comm_), "MPI_Allreduce");
  });
}

void MpiCommunicator::Broadcast(at::Tensor& tensor, int root) {
  CheckCollectiveInput(tensor, "Broadcast");
  TORCH_CHECK(root >= 0 && root < size_, "Broadcast: root ", root, " is not a rank (size ", size_, ")");
  ToMpiType(tensor.scalar_type(), "Broadcast");  // an unsupported dtype fails here, on the caller's thread
  if (tensor.is_cpu()) return queue_->Run([&] { BroadcastHost(tensor, root); });
  at::Tensor host = tensor.cpu();
  queue_->Run([&] { BroadcastHost(host, root); });
  tensor.copy_(host);
}

void MpiCommunicator::BroadcastHost(const at::Tensor& tensor, int root) {
  const MpiType type = ToMpiType(tensor.scalar_type(), "Broadcast");
  char* base = static_cast<char*>(tensor.data_ptr());
  const int64_t item = tensor.element_size();
  CollectiveWatchdog::Scope scope(*watchdog_, "MPI_Bcast");
  ForEachChunk(tensor.numel(), [&](int64_t offset, int count) {
    Check(MPI_Bcast(base + offset * item, count, type.type, root, comm_), "MPI_Bcast");
  });
}

void MpiCommunicator::BroadcastBytes(void* data, int64_t bytes, int root) {
  TORCH_CHECK(root >= 0 && root < size_, "BroadcastBytes: root ", root, " is not a rank (size ", size_, ")");
  queue_->Run([&] {
    CollectiveWatchdog::Scope scope(*watchdog_, "MPI_Bcast");
    ForEachChunk(bytes, [&](int64_t offset, int count) {
      Check(MPI_Bcast(static_cast<char*>(data) + offset, count, MPI_BYTE, root, comm_), "MPI_Bcast");
    });
  });
}

void MpiCommunicator::Barrier() {
  queue_->Run([&] {
    CollectiveWatchdog::Scope scope(*watchdog_, "MPI_Barrier");
    Check(MPI_Barrier(comm_), "MPI_Barrier");
  });
}

}  // namespace zegclip::distributed
