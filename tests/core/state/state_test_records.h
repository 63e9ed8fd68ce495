// Records with every field set, for the state store's tests.
#ifndef BLOCKHEALTH_TESTS_CORE_STATE_STATE_TEST_RECORDS_H
#define BLOCKHEALTH_TESTS_CORE_STATE_STATE_TEST_RECORDS_H

#include <cstdint>
#include <string>

#include "core/model/delivery.h"
#include "core/model/silence.h"
#include "core/model/transition.h"

namespace blockhealth::test {

// Transition `seq` of block/instance, with evidence.
inline Transition make_transition(std::uint64_t seq, const std::string& block = "llm",
                                  const std::string& instance = "gpu-0", std::int64_t time_ms = 0) {
  Transition t;
  t.seq = seq;
  t.time_ms =
      time_ms != 0 ? time_ms : 1'700'000'000'000 + static_cast<std::int64_t>(seq % 1'000'000);
  t.block_id = block;
  t.instance_id = instance;
  t.from = Status::kOk;
  t.to = Status::kUnhealthy;
  t.policy = "gpu_temp";
  t.reason = "temperature 91 > 85 (seq " + std::to_string(seq) + ")";
  t.evidence = Evidence{"DCGM_FI_DEV_GPU_TEMP", 91.5, 85};
  return t;
}

inline Delivery make_delivery(std::uint64_t seq, std::int64_t next_attempt_ms = 1000) {
  Delivery d;
  d.block_id = "llm";
  d.instance_id = "gpu-0";
  d.action = "webhook#0";
  d.url = "http://127.0.0.1:9/hook?x=1";
  d.body = R"({"seq":)" + std::to_string(seq) + R"(,"to":"unhealthy"})";
  d.transition_seq = seq;
  d.attempts = 0;
  d.next_attempt_ms = next_attempt_ms;
  d.created_ms = 1'700'000'000'000;
  return d;
}

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_CORE_STATE_STATE_TEST_RECORDS_H
