// SPDX-License-Identifier: MIT
// The status page when the gateway fails: the fake Envoy goes away, and /status.json says
// what the journal says (unreachable since when), that the reading is stale and that the
// Shelly's polls are withheld, then that all is well again.
#include "integration/envoy_support.hpp"
#include "util/json.hpp"

#include <gtest/gtest.h>

#include <string>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;

/// The document, parsed; null when the page does not answer.
JsonPtr StatusDocument(const EnvoyRig& rig) {
    HttpResult result = rig.Get("/status.json");
    if (result.status != 200) return nullptr;
    json_error_t error;
    return JsonPtr(json_loads(result.body.c_str(), 0, &error));
}

std::string Health(json_t* document) {
    const char* text =
        json_string_value(json_object_get(json_object_get(document, "source"), "health"));
    return text ? text : "";
}

std::string Serving(json_t* document) {
    json_t* frontend = json_array_get(json_object_get(document, "frontends"), 0);
    const char* text = json_string_value(json_object_get(frontend, "serving"));
    return text ? text : "";
}

TEST(StatusPageEnvoyTest, AnUnreachableGatewayIsNamedWithSinceWhenAndThePollsWithheld) {
    EnvoyRig rig(EnvoyFolder("8.3.5169_with_generator"));
    rig.StartDaemon(rig.BackendConfig(YearToken(), "poll_interval = 0.5\nstale_after = 2\n"));
    ASSERT_TRUE(WaitUntil(
        [&] {
            JsonPtr document = StatusDocument(rig);
            return document && Serving(document.get()) == "fresh";
        },
        10s))
        << rig.Output();

    rig.Envoy().SetDown(true);
    std::string health;
    ASSERT_TRUE(WaitUntil(
        [&] {
            JsonPtr document = StatusDocument(rig);
            if (!document) return false;
            health = Health(document.get());
            return health.find("unreachable since ") != std::string::npos &&
                   Serving(document.get()) == "withheld";
        },
        15s))
        << "the page never said so; health \"" << health << "\"\n"
        << rig.Output();
    // The journal's line for the same fault.
    EXPECT_NE(rig.Output().find("cannot reach the Envoy"), std::string::npos) << rig.Output();

    rig.Envoy().SetDown(false);
    EXPECT_TRUE(WaitUntil(
        [&] {
            JsonPtr document = StatusDocument(rig);
            return document && Serving(document.get()) == "fresh" &&
                   Health(document.get()).find("unreachable") == std::string::npos;
        },
        15s))
        << rig.Output();
}

} // namespace
} // namespace meteremu::test
