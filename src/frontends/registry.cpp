// SPDX-License-Identifier: MIT
#include "build_config.hpp"
#include "frontends/ct002/ct002_frontend.hpp"
#include "frontends/ecotracker/ecotracker_frontend.hpp"
#include "frontends/frontend.hpp"
#include "frontends/homewizard/homewizard_frontend.hpp"
#include "frontends/shelly/shelly_frontend.hpp"
#include "frontends/shelly_gen1/shelly_gen1_frontend.hpp"
#include "util/plugin_registry.hpp"

namespace meteremu {

namespace {

// One line per frontend, its descriptor declared by its header; the size is deduced.
// METEREMU_WITH_FRONTEND_<NAME> (build_config.hpp) drops the line when the plugin is not built
// (CMake option METEREMU_FRONTEND_<NAME>; a build has at least one frontend). The first is
// the type of a frontend whose configuration names none.
constinit const std::array kFrontendPlugins{
    METEREMU_WITH_FRONTEND_SHELLY(&shelly_frontend_plugin, )           //
    METEREMU_WITH_FRONTEND_SHELLY_GEN1(&shelly_gen1_frontend_plugin, ) //
    METEREMU_WITH_FRONTEND_ECOTRACKER(&ecotracker_frontend_plugin, )   //
    METEREMU_WITH_FRONTEND_HOMEWIZARD(&homewizard_frontend_plugin, )   //
    METEREMU_WITH_FRONTEND_CT002(&ct002_frontend_plugin, )             //
};

} // namespace

const FrontendPlugin* FindFrontendPlugin(std::string_view name) noexcept {
    return FindPlugin(kFrontendPlugins, name);
}

std::vector<std::string_view> FrontendPluginNames() {
    return PluginNames(kFrontendPlugins);
}

} // namespace meteremu
