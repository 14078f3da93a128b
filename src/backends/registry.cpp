// SPDX-License-Identifier: MIT
#include "backends/backend.hpp"
#include "util/plugin_registry.hpp"

namespace meteremu {

extern const BackendPlugin demo_backend_plugin;
extern const BackendPlugin envoy_backend_plugin;

namespace {

constinit const std::array<const BackendPlugin*, 2> kBackendPlugins{
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
