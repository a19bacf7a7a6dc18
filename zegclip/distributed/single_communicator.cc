#include "zegclip/distributed/single_communicator.h"

#include <cstdio>
#include <cstdlib>

namespace zegclip::distributed {

std::unique_ptr<CollectiveWork> SingleCommunicator::StartAllReduceSum(const at::Tensor& tensor) {
  // Same preconditions as the real backends, so a bug shows up without mpirun too.
  CheckCollectiveInput(tensor, "AllReduceSum");
  return std::make_unique<CompletedWork>();
}

void SingleCommunicator::Broadcast(at::Tensor& tensor, int root) {
  CheckCollectiveInput(tensor, "Broadcast");
  TORCH_CHECK(root == 0, "Broadcast: root ", root, " is not a rank of a 1-process job");
}

void SingleCommunicator::Abort(const std::string& why) {
  std::fprintf(stderr, "%s aborting: %s\n", RankTag().c_str(), why.c_str());
  std::fflush(stderr);
  std::_Exit(1);
}

}  // namespace zegclip::distributed
