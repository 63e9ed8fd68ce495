// test_throw: a C++ policy whose code throws, to prove the SDK turns
// exceptions into errors at the ABI boundary.
//   create fails with "boom from create" when with: { throw_in_create: true };
//   evaluate always fails with "boom from evaluate".
#include <blockhealth/policy.hpp>
#include <stdexcept>

namespace {

class TestThrow {
 public:
  static constexpr bh::Descriptor kDescriptor{
      .name = "test_throw",
      .version = "1.0.0",
      .description = "Test policy: throws from create (on request) and from evaluate",
      .params_schema = R"({
        "type": "object",
        "properties": { "throw_in_create": { "type": "boolean" } },
        "additionalProperties": false
      })"};

  TestThrow(const bh::Json& params, const bh::Host& /*host*/) {
    if (params.bool_or("throw_in_create", false)) throw std::runtime_error("boom from create");
  }

  bh::Verdict evaluate(const bh::Instance& /*in*/, const bh::Context& /*ctx*/) {
    throw std::runtime_error("boom from evaluate");
  }
};

}  // namespace

BH_POLICY(TestThrow)
