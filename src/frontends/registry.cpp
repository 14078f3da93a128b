// SPDX-License-Identifier: MIT
#include "frontends/frontend.hpp"
#include "util/plugin_registry.hpp"

namespace meteremu {

extern const FrontendPlugin shelly_frontend_plugin;

namespace {

constinit const std::array<const FrontendPlugin*, 1> kFrontendPlugins{
    &shelly_frontend_plugin,
};

} // namespace

const FrontendPlugin* FindFrontendPlugin(std::string_view name) noexcept {
    return FindPlugin(kFrontendPlugins, name);
}

std::vector<std::string_view> FrontendPluginNames() {
    return PluginNames(kFrontendPlugins);
}

} // namespace meteremu
