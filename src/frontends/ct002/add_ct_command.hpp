// SPDX-License-Identifier: MIT
// `meteremu marstek-add-ct`: asks for the Marstek account on the terminal (or two lines of
// stdin), creates a meter in it and prints the lines to paste (docs/protocols/marstek-cloud.md).
// The password is only sent, as its MD5, and wiped when the command ends.
#pragma once

#include <string>

namespace meteremu::marstek {

/// The command's exit status: 0 with the meter created and the lines to paste into
/// `config_file` printed, 1 with one line on stderr saying what failed. Throws
/// std::invalid_argument for an `api_url` that is no API URL ("" is the default).
int RunAddCtCommand(std::string api_url, const std::string& ct_type, const char* config_file);

} // namespace meteremu::marstek
