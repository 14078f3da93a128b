// SPDX-License-Identifier: MIT
#include "backends/backend.hpp"
#include "backends/demo/demo_backend.hpp"
#include "backends/dsmr_p1/dsmr_options.hpp"
#include "backends/envoy/envoy_options.hpp"
#include "backends/home_assistant/ha_options.hpp"
#include "backends/http_json/http_json_options.hpp"
#include "backends/mqtt/mqtt_options.hpp"
#include "backends/sma_speedwire/sma_options.hpp"
#include "build_config.hpp"
#include "util/plugin_registry.hpp"

// The test build of the daemon (meteremu-test, tests/CMakeLists.txt) compiles this file again
// with METEREMU_TEST_BACKENDS naming the header of the test-only backends; the shipped daemon
// never contains them.
#ifdef METEREMU_TEST_BACKENDS
#include METEREMU_TEST_BACKENDS
#define METEREMU_WITH_TEST_BACKENDS(...) __VA_ARGS__
#else
#define METEREMU_WITH_TEST_BACKENDS(...)
#endif

namespace meteremu {

namespace {

// One line per backend, its descriptor declared by its header; the size is deduced.
// METEREMU_WITH_BACKEND_<NAME> (build_config.hpp) drops the line when the plugin is not built
// (CMake option METEREMU_BACKEND_<NAME>; the demo is always built).
constinit const std::array kBackendPlugins{
    METEREMU_WITH_BACKEND_ENVOY(&envoy_backend_plugin, )                                   //
    METEREMU_WITH_BACKEND_HTTP_JSON(&http_json_backend_plugin, )                           //
    METEREMU_WITH_BACKEND_MQTT(&mqtt_backend_plugin, )                                     //
    METEREMU_WITH_BACKEND_HOME_ASSISTANT(&home_assistant_backend_plugin, )                 //
    METEREMU_WITH_BACKEND_SMA_SPEEDWIRE(&sma_speedwire_backend_plugin, )                   //
    METEREMU_WITH_BACKEND_DSMR_P1(&dsmr_p1_backend_plugin, )                               //
    METEREMU_WITH_BACKEND_DEMO(&demo_backend_plugin, )                                     //
    METEREMU_WITH_TEST_BACKENDS(&test::stall_backend_plugin, &test::feed_backend_plugin, ) //
};

} // namespace

const BackendPlugin* FindBackendPlugin(std::string_view name) noexcept {
    return FindPlugin(kBackendPlugins, name);
}

std::vector<std::string_view> BackendPluginNames() {
    return PluginNames(kBackendPlugins);
}

} // namespace meteremu
