// Opening a state store in a test, failing the test (not crashing) when
// it cannot be opened.
#ifndef BLOCKHEALTH_TESTS_CORE_STATE_OPEN_TEST_STORE_H
#define BLOCKHEALTH_TESTS_CORE_STATE_OPEN_TEST_STORE_H

#include <gtest/gtest.h>

#include <filesystem>

#include "core/state/state_store.h"

namespace blockhealth::test {

// The store in `dir`, or nullptr after ADD_FAILURE with the open error.
inline StateStorePtr open_store(const std::filesystem::path& dir) {
  Result<StateStorePtr> store = StateStore::open(dir);
  if (!store) {
    ADD_FAILURE() << store.error().message;
    return nullptr;
  }
  return std::move(*store);
}

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_CORE_STATE_OPEN_TEST_STORE_H
