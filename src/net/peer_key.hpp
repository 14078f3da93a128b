// SPDX-License-Identifier: MIT
// The public-key pin of a TLS peer: SHA-256 of its certificate's SubjectPublicKeyInfo, in the
// form libcurl's CURLOPT_PINNEDPUBLICKEY takes ("sha256//<base64>"). A key, unlike the whole
// certificate, stays the same when a device renews its certificate with the same key pair.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace meteremu {

/// The pin of the first certificate in `pem`; nullopt when it holds no readable certificate.
std::optional<std::string> PublicKeyPinOfPem(std::string_view pem);

} // namespace meteremu
