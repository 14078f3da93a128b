// SPDX-License-Identifier: MIT
// Fuzz target: an Envoy access token (a JWT) as pasted into the configuration or a token file,
// decoded for its claims. The error message must never repeat a piece of the token: no run of
// 12 or more characters without a space (longer than any word of the messages) may show up.
#include "backends/envoy/envoy_error.hpp"
#include "backends/envoy/jwt.hpp"
#include "fuzz/fuzz_support.hpp"

namespace {

void RequireNoPieceOf(std::string_view token, std::string_view message) {
    constexpr std::size_t kPiece = 12;
    while (!token.empty()) {
        auto space = token.find(' ');
        std::string_view run = token.substr(0, space);
        if (run.size() >= kPiece)
            meteremu::fuzz::Require(message.find(run) == std::string_view::npos,
                                    "no piece of the token in the error message");
        if (space == std::string_view::npos) break;
        token.remove_prefix(space + 1);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace meteremu::envoy;
    std::string_view token = TrimToken(meteremu::fuzz::AsText(data, size));
    try {
        DecodeJwt(token);
    } catch (const EnvoyError& error) {
        RequireNoPieceOf(token, error.what());
    }
    return 0;
}
