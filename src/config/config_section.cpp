// SPDX-License-Identifier: MIT
#include "config/config_section.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

namespace meteremu {
namespace {

std::string_view TypeName(const toml::node& node) {
    switch (node.type()) {
    case toml::node_type::string:
        return "a string";
    case toml::node_type::integer:
        return "an integer";
    case toml::node_type::floating_point:
        return "a floating-point number";
    case toml::node_type::boolean:
        return "a boolean";
    case toml::node_type::table:
        return "a table";
    case toml::node_type::array:
        return "an array";
    case toml::node_type::date:
        return "a date";
    case toml::node_type::time:
        return "a time";
    case toml::node_type::date_time:
        return "a date-time";
    case toml::node_type::none:
        break;
    }
    return "nothing";
}

/// A member's name as TOML writes it in a dotted key: bare when it can be, else quoted.
std::string QuotedIfNeeded(std::string_view name) {
    bool bare = !name.empty() && std::ranges::all_of(name, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
    return bare ? std::string(name) : "\"" + std::string(name) + "\"";
}

} // namespace

std::string FormatNumber(double value) {
    std::ostringstream text;
    text << value;
    return text.str();
}

ConfigSection::ConfigSection(std::string name, const toml::table* table,
                             toml::source_position where, Diagnostics& diagnostics,
                             std::string header)
    : name_(std::move(name)), header_(header.empty() ? "[" + name_ + "]" : std::move(header)),
      table_(table), where_(where), diagnostics_(diagnostics) {}

bool ConfigSection::Has(std::string_view key) {
    known_.emplace(key);
    return table_ && table_->contains(key);
}

std::string ConfigSection::Qualified(std::string_view key) const {
    return name_.empty() ? std::string(key) : name_ + "." + std::string(key);
}

std::vector<std::string> ConfigSection::KnownKeys() const {
    return {known_.begin(), known_.end()};
}

const toml::node* ConfigSection::Find(std::string_view key) {
    known_.emplace(key);
    return table_ ? table_->get(key) : nullptr;
}

toml::source_position ConfigSection::PositionOf(std::string_view key) const {
    const toml::node* node = table_ ? table_->get(key) : nullptr;
    return node ? node->source().begin : where_;
}

void ConfigSection::WrongType(std::string_view key, const toml::node& node,
                              std::string_view expected) {
    ErrorAt(key, "expected " + std::string(expected) + ", got " + std::string(TypeName(node)));
}

void ConfigSection::ErrorAt(std::string_view key, const std::string& expectation) {
    auto at = PositionOf(key);
    diagnostics_.Error(at.line, at.column, Qualified(key) + ": " + expectation);
}

toml::source_position ConfigSection::ElementPosition(std::string_view key,
                                                     std::size_t index) const {
    const toml::node* node = table_ ? table_->get(key) : nullptr;
    const toml::array* array = node ? node->as_array() : nullptr;
    return array && index < array->size() ? (*array)[index].source().begin : PositionOf(key);
}

void ConfigSection::ErrorAtElement(std::string_view key, std::size_t index,
                                   const std::string& expectation) {
    auto at = ElementPosition(key, index);
    diagnostics_.Error(at.line, at.column, Qualified(key) + ": " + expectation);
}

void ConfigSection::ErrorAtMember(std::string_view key, std::string_view member,
                                  const std::string& expectation) {
    const toml::node* node = table_ ? table_->get(key) : nullptr;
    const toml::table* table = node ? node->as_table() : nullptr;
    toml::source_position at = PositionOf(key);
    if (table)
        if (auto found = table->find(member); found != table->cend())
            at = found->first.source().begin;
    diagnostics_.Error(at.line, at.column,
                       Qualified(key) + "." + QuotedIfNeeded(member) + ": " + expectation);
}

void ConfigSection::WarningAt(std::string_view key, const std::string& message) {
    auto at = PositionOf(key);
    diagnostics_.Warning(at.line, at.column, Qualified(key) + ": " + message);
}

void ConfigSection::ErrorMissing(std::string_view key, const std::string& expectation) {
    diagnostics_.Error(where_.line, where_.column,
                       header_ + " has no '" + std::string(key) + "': " + expectation);
}

template <class T>
std::optional<T> ConfigSection::Typed(std::string_view key,
                                      bool (toml::node::*matches)() const noexcept,
                                      std::string_view expected) {
    const toml::node* node = Find(key);
    if (!node) return std::nullopt;
    if ((node->*matches)()) return node->value<T>();
    WrongType(key, *node, expected);
    return std::nullopt;
}

std::optional<std::string> ConfigSection::String(std::string_view key) {
    return Typed<std::string>(key, &toml::node::is_string, "a string");
}

std::optional<bool> ConfigSection::Bool(std::string_view key) {
    return Typed<bool>(key, &toml::node::is_boolean, "true or false");
}

std::optional<double> ConfigSection::Number(std::string_view key) {
    return Typed<double>(key, &toml::node::is_number, "a number");
}

std::optional<std::int64_t> ConfigSection::Integer(std::string_view key) {
    return Typed<std::int64_t>(key, &toml::node::is_integer, "an integer");
}

template <class T>
std::optional<std::vector<T>>
ConfigSection::ArrayOf(std::string_view key, bool (toml::node::*matches)() const noexcept,
                       std::string_view expected, std::string_view plural) {
    const toml::node* node = Find(key);
    if (!node) return std::nullopt;
    const toml::array* array = node->as_array();
    if (!array) {
        WrongType(key, *node, "an array of " + std::string(plural));
        return std::nullopt;
    }
    std::vector<T> values;
    for (const toml::node& element : *array) {
        if (!(element.*matches)()) {
            auto at = element.source().begin;
            diagnostics_.Error(at.line, at.column,
                               Qualified(key) + ": expected " + std::string(expected) + ", got " +
                                   std::string(TypeName(element)));
            return std::nullopt;
        }
        values.push_back(*element.value<T>());
    }
    return values;
}

std::optional<std::vector<std::int64_t>> ConfigSection::IntegerArray(std::string_view key) {
    return ArrayOf<std::int64_t>(key, &toml::node::is_integer, "an integer", "integers");
}

std::optional<std::vector<std::string>> ConfigSection::StringArray(std::string_view key) {
    return ArrayOf<std::string>(key, &toml::node::is_string, "a string", "strings");
}

std::optional<std::vector<std::string>> ConfigSection::StringOrStrings(std::string_view key) {
    const toml::node* node = Find(key);
    if (node && node->is_string()) return std::vector<std::string>{*String(key)};
    return StringArray(key);
}

const toml::table* ConfigSection::Table(std::string_view key) {
    const toml::node* node = Find(key);
    if (!node) return nullptr;
    if (const toml::table* table = node->as_table()) return table;
    WrongType(key, *node, "a table ([" + std::string(key) + "])");
    return nullptr;
}

std::optional<std::vector<std::pair<std::string, double>>>
ConfigSection::NumberTable(std::string_view key) {
    const toml::node* node = Find(key);
    if (!node) return std::nullopt;
    const toml::table* table = node->as_table();
    if (!table) {
        WrongType(key, *node, "a table of numbers ({ name = 1 })");
        return std::nullopt;
    }
    std::vector<std::pair<std::string, double>> members;
    for (const auto& [name, value] : *table) {
        if (value.is_number()) {
            members.emplace_back(name.str(), *value.value<double>());
            continue;
        }
        auto at = value.source().begin;
        diagnostics_.Error(at.line, at.column,
                           Qualified(key) + "." + QuotedIfNeeded(name.str()) +
                               ": expected a number, got " + std::string(TypeName(value)));
    }
    return members;
}

std::vector<const toml::table*> ConfigSection::Tables(std::string_view key) {
    const toml::node* node = Find(key);
    if (!node) return {};
    if (const toml::table* table = node->as_table()) return {table};
    const toml::array* array = node->as_array();
    std::string form = "[" + std::string(key) + "]";
    if (!array) {
        WrongType(key, *node, "a table (" + form + ") or an array of tables ([" + form + "])");
        return {};
    }
    std::vector<const toml::table*> tables;
    for (std::size_t i = 0; i < array->size(); ++i) {
        if (const toml::table* table = (*array)[i].as_table())
            tables.push_back(table);
        else
            ErrorAtElement(key, i,
                           "expected a table ([" + form + "]), got " +
                               std::string(TypeName((*array)[i])));
    }
    return tables;
}

double ConfigSection::Seconds(std::string_view key, double fallback, double maximum) {
    auto value = Number(key);
    if (!value) return fallback;
    if (!std::isfinite(*value) || *value <= 0 || *value > maximum) {
        ErrorAt(key, "expected a number of seconds greater than 0 and at most " +
                         FormatNumber(maximum) + ", got " + FormatNumber(*value));
        return fallback;
    }
    return *value;
}

std::int64_t ConfigSection::Count(std::string_view key, std::int64_t fallback, std::int64_t minimum,
                                  std::int64_t maximum) {
    auto value = Integer(key);
    if (!value) return fallback;
    if (*value < minimum || *value > maximum) {
        ErrorAt(key, "expected an integer from " + std::to_string(minimum) + " to " +
                         std::to_string(maximum) + ", got " + std::to_string(*value));
        return fallback;
    }
    return *value;
}

double ConfigSection::Bounded(std::string_view key, double fallback, double minimum,
                              double maximum) {
    auto value = Number(key);
    if (!value) return fallback;
    if (!std::isfinite(*value) || *value < minimum || *value > maximum) {
        ErrorAt(key, "expected a number from " + FormatNumber(minimum) + " to " +
                         FormatNumber(maximum) + ", got " + FormatNumber(*value));
        return fallback;
    }
    return *value;
}

void ConfigSection::ReportUnknownKeys() {
    if (!table_) return;
    std::string expected;
    for (const auto& key : known_)
        expected += (expected.empty() ? "" : ", ") + key;
    std::string where = name_.empty() ? " at the top level" : " in " + header_;
    for (const auto& [key, node] : *table_) {
        if (known_.contains(key.str())) continue;
        auto at = key.source().begin;
        std::string message = "unknown key '";
        message.append(key.str()).append("'").append(where).append("; expected one of: ");
        diagnostics_.Error(at.line, at.column, message.append(expected));
    }
}

} // namespace meteremu
