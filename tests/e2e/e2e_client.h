// Helpers shared by the end-to-end tests: config snippets pointing at the
// test plugins, and the daemon's HTTP API as small functions (push, mgmt,
// reading a block's view, evaluating a paused block and waiting for it).
#ifndef BLOCKHEALTH_TESTS_E2E_E2E_CLIENT_H
#define BLOCKHEALTH_TESTS_E2E_E2E_CLIENT_H

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>

#include "tests/support/http_client.h"

namespace blockhealth::test {

// "plugins:\n  dirs: [<test_plugin_dir()/case>, ...]\n" for the named test
// plugin cases (test_echo, test_hang, ...).
std::string test_plugin_dirs_yaml(std::initializer_list<std::string> cases);

// test_plugin_dirs_yaml(cases) and defaults for blocks evaluated on
// request: interval 1h, timeout 2s, every *_after count 1, stale_after 1h.
// The caller goes on with "blocks:" (or more top-level keys).
std::string on_request_yaml(std::initializer_list<std::string> cases);

// Write requests; `token`, when not empty, goes in Authorization: Bearer.
HttpReply http_put(const std::string& address, const std::string& target,
                   const std::string& token = "");
HttpReply post_with_token(const std::string& address, const std::string& target,
                          const std::string& body, const std::string& token,
                          const std::string& content_type = "application/json");

// The value of the first GET /metrics sample named `name` whose labels
// contain every one of `labels` (e.g. `result="delivered"`); -1 when there
// is none.
double metric_value(const std::string& address, const std::string& name,
                    std::initializer_list<std::string> labels = {});

// PUT /v1/blocks/<block>/instances/<instance>.
HttpReply register_instance(const std::string& address, const std::string& block,
                            const std::string& instance);
// POST /v1/blocks/<block>/instances/<instance>/metrics (or /logs).
HttpReply push_metrics(const std::string& address, const std::string& block,
                       const std::string& instance, const std::string& body,
                       const std::string& content_type = "application/json");
HttpReply push_logs(const std::string& address, const std::string& block,
                    const std::string& instance, const std::string& body,
                    const std::string& content_type = "text/plain");
// Pushes {"test_status": value} (what test_echo judges).
HttpReply push_status(const std::string& address, const std::string& block,
                      const std::string& instance, int value);

// POST /block/<block>/health-checker/mgmt {"mgmt_action": action, "mgmt_data": data}.
HttpReply mgmt(const std::string& address, const std::string& block, const std::string& action,
               const boost::json::value& data = nullptr);

// GET /v1/blocks/<block> as JSON (null when not 200).
boost::json::value block_view(const std::string& address, const std::string& block);
// The instance object of a block view (null when absent).
boost::json::value instance_of(const boost::json::value& view, const std::string& instance);
// The per-policy result of an instance object (null when absent).
boost::json::value policy_result_of(const boost::json::value& instance, const std::string& policy);
// The block-level state of a policy in a block view (null when absent).
boost::json::value policy_state_of(const boost::json::value& view, const std::string& policy);
// The sum of the "calls" counters of a block view's policies.
std::uint64_t total_calls(const boost::json::value& view);
// A string member, "" when absent or not a string.
std::string str(const boost::json::value& object, const char* key);

// Asks the block to evaluate now, then waits until every policy of the block
// has completed one more call (its calls counter grew and it is not busy)
// and `done` holds on the view. Returns the last view read; fails the current
// test when the mgmt call fails or the deadline passes.
using ViewPredicate = std::function<bool(const boost::json::value&)>;
boost::json::value evaluate_and_wait(const std::string& address, const std::string& block,
                                     const ViewPredicate& done = nullptr);

// Polls GET /v1/blocks/<block> until `done` holds; the last view read. Fails
// the current test when the deadline passes.
boost::json::value wait_for_view(const std::string& address, const std::string& block,
                                 const ViewPredicate& done);

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_E2E_E2E_CLIENT_H
