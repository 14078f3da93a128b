// SPDX-License-Identifier: MIT
#include "backends/backend.hpp"
#include "backends/demo/demo_backend.hpp"
#include "backends/envoy/envoy_options.hpp"
#include "util/plugin_registry.hpp"

namespace meteremu {

namespace {

// One line per backend, its descriptor declared by its header; the size is deduced.
constinit const std::array kBackendPlugins{
    &envoy_backend_plugin,
    &demo_backend_plugin,
};

} // namespace

const BackendPlugin* FindBackendPlugin(std::string_view name) noexcept {
    return FindPlugin(kBackendPlugins, name);
}

std::vector<std::string_view> BackendPluginNames() {
    return PluginNames(kBackendPlugins);
}

} // namespace meteremu
