// SPDX-License-Identifier: MIT
// Credentials for fakes: a self-signed certificate made with the openssl command line at test
// time, and JWTs shaped like the Envoy's.
#include "fakes/fake_envoy.hpp"
#include "support/daemon_process.hpp"
#include "support/temp_dir.hpp"
#include "util/base64.hpp"

#include <stdexcept>

namespace meteremu::test {

TlsMaterial MakeSelfSignedCertificate(const std::filesystem::path& directory) {
    auto key = directory / "envoy-key.pem";
    auto certificate = directory / "envoy-cert.pem";
    auto result =
        RunProgram({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    "/CN=envoy.local", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", key.string(), "-out", certificate.string()});
    if (result.status != 0)
        throw std::runtime_error("openssl cannot make a test certificate: " + result.err);
    return {ReadFile(certificate), ReadFile(key)};
}

std::string MakeJwt(std::chrono::system_clock::time_point expires_at, const std::string& serial,
                    const std::string& user_type, const std::string& jti) {
    long long exp =
        std::chrono::duration_cast<std::chrono::seconds>(expires_at.time_since_epoch()).count();
    std::string header = R"({"kid":"fake","typ":"JWT","alg":"ES256"})";
    std::string payload = R"({"aud":")" + serial + R"(","iss":"Entrez","enphaseUser":")" +
                          user_type + R"(","exp":)" + std::to_string(exp) + R"(,"iat":)" +
                          std::to_string(exp - 365LL * 86400) + R"(,"jti":")" + jti +
                          R"(","username":"owner@example.com"})";
    return Base64UrlEncode(header) + "." + Base64UrlEncode(payload) + "." +
           Base64UrlEncode("not-a-signature");
}

} // namespace meteremu::test
