// SPDX-License-Identifier: MIT
#include "frontends/frontend.hpp"
#include "frontends/shelly/shelly_frontend.hpp"
#include "util/plugin_registry.hpp"

namespace meteremu {

namespace {

// One line per frontend, its descriptor declared by its header; the size is deduced. The
// first is the type of a frontend whose configuration names none.
constinit const std::array kFrontendPlugins{
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
