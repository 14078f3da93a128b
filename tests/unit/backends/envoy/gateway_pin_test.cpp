// SPDX-License-Identifier: MIT
#include "backends/envoy/gateway_pin.hpp"
#include "fakes/fake_envoy.hpp"
#include "net/peer_key.hpp"
#include "support/daemon_process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace meteremu::envoy {
namespace {

TEST(GatewayPin, SavedPinLoadsBackAndForgetDeletesIt) {
    test::TempDir dir;
    auto file = GatewayPinPath(dir.Path());
    EXPECT_FALSE(LoadGatewayPin(file));
    SaveGatewayPin(file, {"202439990001", "sha256//abc="});
    auto pin = LoadGatewayPin(file);
    ASSERT_TRUE(pin);
    EXPECT_EQ(pin->serial, "202439990001");
    EXPECT_EQ(pin->key, "sha256//abc=");
    EXPECT_TRUE(ForgetGatewayPin(file));
    EXPECT_FALSE(ForgetGatewayPin(file));
    EXPECT_FALSE(LoadGatewayPin(file));
}

TEST(GatewayPin, DamagedPinTrustsNothing) {
    test::TempDir dir;
    auto file = GatewayPinPath(dir.Path());
    std::ofstream(file) << "serial 1\n";
    EXPECT_THROW(LoadGatewayPin(file), std::runtime_error);
}

TEST(PeerKey, PinIsTheHashOfThePublicKeyAsOpensslComputesIt) {
    test::TempDir dir;
    auto material = test::MakeSelfSignedCertificate(dir.Path());
    auto pin = PublicKeyPinOfPem(material.certificate_pem);
    ASSERT_TRUE(pin);
    // The same hash the openssl command line gives (the recipe of curl's documentation).
    auto result = test::RunProgram(
        {"/bin/sh", "-c",
         "openssl x509 -in " + (dir.Path() / "envoy-cert.pem").string() +
             " -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 "
             "-binary | openssl enc -base64"});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(*pin, "sha256//" + result.out.substr(0, result.out.find('\n')));
    EXPECT_FALSE(PublicKeyPinOfPem("not a certificate"));
}

} // namespace
} // namespace meteremu::envoy
