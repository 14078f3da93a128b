// SPDX-License-Identifier: MIT
// The status room: the ten-minute ring, the document (parsed back as JSON, as the page and a
// program read it) and the routes in front of a frontend's HTTP handler.
#include "status/metrics_text.hpp"
#include "status/reading_history.hpp"
#include "status/status_json.hpp"
#include "status/status_page.hpp"
#include "util/json.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

const SteadyTime kNow{std::chrono::hours(5)};

Reading MakeReading(double a, double b, double c, SteadyTime at) {
    Reading reading;
    reading[Phase::A] = {231.0, 3.5, a, 800.0, 0.99, 50.0, 1000.0, 10.0};
    reading[Phase::B] = {230.0, 0.5, b, 120.0, -0.9, 50.0, 2000.0, 20.0};
    reading[Phase::C] = {229.0, 0.3, c, 40.0, 0.9, 50.0, 3000.0, 30.0};
    reading.received_at = at;
    return reading;
}

TEST(ReadingHistoryTest, KeepsTheLastTenMinutesOldestFirst) {
    ReadingHistory history;
    for (int second = 0; second < 605; ++second) {
        Reading reading = MakeReading(second, 0, 0, kNow);
        history.Add(second == 604 ? nullptr : &reading);
    }
    auto points = history.Points();
    ASSERT_EQ(points.size(), ReadingHistory::kPoints);
    EXPECT_EQ(points.front().a, 5.0F);
    EXPECT_EQ(points[points.size() - 2].total, 603.0F);
    EXPECT_TRUE(std::isnan(points.back().total)); // a second without a reading
}

JsonPtr Parse(const std::string& text) {
    json_error_t error;
    JsonPtr root(json_loads(text.c_str(), 0, &error));
    EXPECT_TRUE(root) << error.text << "\n" << text;
    return root;
}

double Number(json_t* object, const char* key) {
    return json_number_value(json_object_get(object, key));
}

StatusFacts Facts() {
    StatusFacts facts;
    facts.now = kNow;
    facts.version = "0.1.0";
    facts.uptime = 3605.7s;
    facts.config_file = "/etc/meteremu.toml";
    facts.reading =
        std::make_shared<const Reading>(MakeReading(812.34, -120.0, 35.55, kNow - 400ms));
    facts.stale_after = 10s;
    ReadingHistory history;
    history.Add(facts.reading.get());
    history.Add(nullptr);
    facts.history = history.Points();
    facts.source_describe = "Envoy \"at\" 192.168.1.10";
    facts.source_health = "ok";
    facts.frontends.push_back({"shelly",
                               "shelly",
                               "Shelly Pro 3EM",
                               80,
                               {1010, 2220},
                               "silent",
                               "fresh",
                               {},
                               0,
                               {},
                               "published",
                               "shellypro3em-0aa1b2c3d4e5 (_shelly._tcp, _http._tcp)"});
    facts.clients.push_back({*IpAddress::Parse("192.168.1.50"),
                             {ClientTransport::Udp, 2220},
                             12,
                             1.9s,
                             kNow - 60s,
                             kNow - 800ms});
    return facts;
}

TEST(StatusJsonTest, TheDocumentHasWhatThePageShows) {
    JsonPtr root = Parse(RenderStatusJson(Facts()));
    ASSERT_TRUE(root);
    EXPECT_EQ(Number(root.get(), "version"), 1);
    EXPECT_STREQ(json_string_value(json_object_get(root.get(), "meteremu")), "0.1.0");
    EXPECT_EQ(Number(root.get(), "uptime_s"), 3605);
    json_t* reading = json_object_get(root.get(), "reading");
    EXPECT_TRUE(json_is_true(json_object_get(reading, "present")));
    EXPECT_FALSE(json_is_true(json_object_get(reading, "stale")));
    EXPECT_NEAR(Number(reading, "age_s"), 0.4, 1e-9);
    EXPECT_NEAR(Number(reading, "total_act_power"), 727.9, 1e-9);
    EXPECT_NEAR(Number(reading, "import_wh"), 6000.0, 1e-9);
    json_t* phase_b = json_array_get(json_object_get(reading, "phases"), 1);
    EXPECT_NEAR(Number(phase_b, "act_power"), -120.0, 1e-9);
    json_t* total = json_object_get(json_object_get(root.get(), "history"), "total");
    ASSERT_EQ(json_array_size(total), 2u);
    EXPECT_NEAR(json_number_value(json_array_get(total, 0)), 727.9, 0.05);
    EXPECT_TRUE(json_is_null(json_array_get(total, 1)));
    json_t* source = json_object_get(root.get(), "source");
    EXPECT_STREQ(json_string_value(json_object_get(source, "describe")),
                 "Envoy \"at\" 192.168.1.10");
    json_t* frontend = json_array_get(json_object_get(root.get(), "frontends"), 0);
    EXPECT_STREQ(json_string_value(json_object_get(frontend, "serving")), "fresh");
    EXPECT_EQ(json_array_size(json_object_get(frontend, "udp_ports")), 2u);
    json_t* mdns = json_object_get(frontend, "mdns");
    EXPECT_STREQ(json_string_value(json_object_get(mdns, "state")), "published");
    json_t* client = json_array_get(json_object_get(root.get(), "clients"), 0);
    EXPECT_STREQ(json_string_value(json_object_get(client, "address")), "192.168.1.50");
    EXPECT_STREQ(json_string_value(json_object_get(client, "transport")), "UDP");
    EXPECT_EQ(Number(client, "port"), 2220);
    EXPECT_NEAR(Number(client, "interval_s"), 1.9, 1e-9);
    EXPECT_NEAR(Number(client, "first_seen_s_ago"), 60.0, 1e-9);
}

TEST(MetricsTextTest, NamesCarryTheirUnitAndLabelsComeFromTheConfiguration) {
    StatusFacts facts = Facts();
    facts.frontends.front().udp.received = 40;
    facts.frontends.front().udp.throttled = 3;
    facts.clients_last_minute = 1;
    std::string text = RenderMetrics(facts);
    for (std::string_view line :
         {"meteremu_build_info{version=\"0.1.0\"} 1\n",
          "meteremu_grid_power_watts{phase=\"b\"} -120\n",
          "meteremu_grid_power_watts{phase=\"total\"} 727.89\n",
          "# TYPE meteremu_grid_import_energy_joules_total counter\n",
          "meteremu_grid_import_energy_joules_total 21600000\n",
          "meteremu_reading_age_seconds 0.4\n",
          "meteremu_frontend_serving{frontend=\"shelly\",state=\"fresh\"} 1\n",
          "meteremu_frontend_serving{frontend=\"shelly\",state=\"withheld\"} 0\n",
          "meteremu_udp_datagrams_received_total{frontend=\"shelly\"} 40\n",
          "meteremu_udp_datagrams_unanswered_total{frontend=\"shelly\",reason=\"throttled\"} 3\n",
          "meteremu_mdns_state{frontend=\"shelly\",state=\"published\"} 1\n",
          "meteremu_mdns_state{frontend=\"shelly\",state=\"unavailable\"} 0\n",
          "meteremu_clients 1\n"})
        EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
    // No client address: the series do not grow with the network.
    EXPECT_EQ(text.find("192.168.1.50"), std::string::npos);
    facts.reading = nullptr;
    EXPECT_EQ(RenderMetrics(facts).find("meteremu_grid_power_watts"), std::string::npos);
}

TEST(StatusJsonTest, BeforeTheFirstReadingItSaysSo) {
    StatusFacts facts = Facts();
    facts.reading = nullptr;
    facts.clients.front().polls = 1; // one request: no interval yet
    JsonPtr root = Parse(RenderStatusJson(facts));
    ASSERT_TRUE(root);
    json_t* reading = json_object_get(root.get(), "reading");
    EXPECT_FALSE(json_is_true(json_object_get(reading, "present")));
    EXPECT_EQ(json_object_get(reading, "phases"), nullptr);
    json_t* client = json_array_get(json_object_get(root.get(), "clients"), 0);
    EXPECT_TRUE(json_is_null(json_object_get(client, "interval_s")));
}

/// The frontend behind the routes: answers every path with 418.
class Teapot final : public HttpHandler {
public:
    HttpResponse Handle(const HttpRequest&) noexcept override {
        HttpResponse response;
        response.status = 418;
        return response;
    }
};

HttpResponse Get(StatusRoutes& routes, std::string_view path, std::string_view method = "GET") {
    return routes.Handle(HttpRequest{method, path, {}, {}, nullptr});
}

TEST(StatusPageTest, ServesThePageAndTheLatestDocumentAndLeavesTheRest) {
    StatusPage page;
    StatusRoutes routes(std::make_unique<Teapot>(), page);
    HttpResponse html = Get(routes, "/");
    EXPECT_EQ(html.status, 200u);
    EXPECT_EQ(html.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(html.body, StatusPage::Html());
    EXPECT_TRUE(html.body.starts_with("<!"));
    EXPECT_EQ(Get(routes, "/status.json").status, 503u); // nothing published yet
    page.Publish("{\"version\":1}", "meteremu_uptime_seconds 5\n");
    HttpResponse json = Get(routes, "/status.json");
    EXPECT_EQ(json.status, 200u);
    EXPECT_EQ(json.body, "{\"version\":1}");
    EXPECT_FALSE(json.reusable);
    EXPECT_EQ(json.sample, 0u); // no sample gate for a person's page
    HttpResponse metrics = Get(routes, "/metrics");
    EXPECT_EQ(metrics.status, 200u);
    EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(metrics.body, "meteremu_uptime_seconds 5\n");
    EXPECT_FALSE(routes.IsClientPoll("/metrics")); // a scraper is no battery
    EXPECT_EQ(Get(routes, "/status.json", "POST").status, 405u);
    EXPECT_EQ(Get(routes, "/rpc/EM.GetStatus").status, 418u);
    EXPECT_FALSE(routes.IsClientPoll("/status.json"));
    EXPECT_TRUE(routes.IsClientPoll("/rpc"));
}

TEST(StatusPageTest, DisabledItLeavesEveryPathToTheFrontend) {
    StatusPage page;
    page.Publish("{}", "");
    page.SetEnabled(false);
    StatusRoutes routes(std::make_unique<Teapot>(), page);
    EXPECT_EQ(Get(routes, "/").status, 418u);
    EXPECT_EQ(Get(routes, "/status.json").status, 418u);
    EXPECT_EQ(Get(routes, "/metrics").status, 418u);
    EXPECT_TRUE(routes.IsClientPoll("/"));
}

TEST(StatusPageTest, ThePageIsSmallAndNeedsNothingFromTheInternet) {
    std::string_view html = StatusPage::Html();
    EXPECT_LT(html.size(), 20480u);
    // Only the SVG namespace may name a URL; it is a name, never fetched.
    for (std::string_view external : {"src=\"http", "href=\"http", "src='http", "href='http",
                                      "url(", "@import", "fetch(\"http", "fetch('http", "https://"})
        EXPECT_EQ(html.find(external), std::string_view::npos) << external;
}

} // namespace
} // namespace meteremu
