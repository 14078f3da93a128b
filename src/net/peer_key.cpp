// SPDX-License-Identifier: MIT
#include "net/peer_key.hpp"

#include "util/base64.hpp"

#include <memory>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

namespace meteremu {
namespace {

struct BioDeleter {
    void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};
struct X509Deleter {
    void operator()(X509* certificate) const noexcept { X509_free(certificate); }
};
struct OpensslFree {
    void operator()(unsigned char* bytes) const noexcept { OPENSSL_free(bytes); }
};

} // namespace

std::optional<std::string> PublicKeyPinOfPem(std::string_view pem) {
    std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return std::nullopt;
    std::unique_ptr<X509, X509Deleter> certificate(
        PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!certificate) return std::nullopt;
    unsigned char* der = nullptr;
    int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(certificate.get()), &der);
    if (length <= 0) return std::nullopt;
    std::unique_ptr<unsigned char, OpensslFree> owned(der);
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(der, static_cast<size_t>(length), digest);
    return "sha256//" +
           Base64Encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

} // namespace meteremu
