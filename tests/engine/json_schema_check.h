#pragma once

#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tiervm::test {

// Checks `doc` against the subset of JSON Schema (draft 2020-12) that
// docs/perf-report.schema.json uses: type, required, properties, items, $ref to
// "#/$defs/...", const, minItems/maxItems, minimum/maximum, pattern. Returns one line per
// violation, with the JSON pointer where it happened.
inline void schema_violations(const nlohmann::json& root, const nlohmann::json& schema,
                              const nlohmann::json& doc, const std::string& where,
                              std::vector<std::string>& out) {
  if (schema.contains("$ref")) {
    const std::string ref = schema["$ref"];
    const std::string prefix = "#/$defs/";
    if (ref.rfind(prefix, 0) != 0 || !root["$defs"].contains(ref.substr(prefix.size()))) {
      out.push_back(where + ": unresolvable $ref " + ref);
      return;
    }
    schema_violations(root, root["$defs"][ref.substr(prefix.size())], doc, where, out);
    return;
  }
  if (schema.contains("type")) {
    const std::string t = schema["type"];
    const bool ok = (t == "object" && doc.is_object()) || (t == "array" && doc.is_array()) ||
                    (t == "string" && doc.is_string()) ||
                    (t == "integer" && doc.is_number_integer()) ||
                    (t == "number" && doc.is_number()) || (t == "boolean" && doc.is_boolean());
    if (!ok) {
      out.push_back(where + ": expected " + t + ", got " + doc.type_name());
      return;
    }
  }
  if (schema.contains("const") && doc != schema["const"]) {
    out.push_back(where + ": expected " + schema["const"].dump() + ", got " + doc.dump());
  }
  if (doc.is_number()) {
    const double v = doc.get<double>();
    if (schema.contains("minimum") && v < schema["minimum"].get<double>()) {
      out.push_back(where + ": below minimum");
    }
    if (schema.contains("maximum") && v > schema["maximum"].get<double>()) {
      out.push_back(where + ": above maximum");
    }
  }
  if (doc.is_string() && schema.contains("pattern") &&
      !std::regex_search(doc.get<std::string>(),
                         std::regex(schema["pattern"].get<std::string>()))) {
    out.push_back(where + ": '" + doc.get<std::string>() + "' does not match " +
                  schema["pattern"].get<std::string>());
  }
  if (doc.is_object()) {
    for (const auto& key : schema.value("required", nlohmann::json::array())) {
      if (!doc.contains(key.get<std::string>())) {
        out.push_back(where + ": missing required key '" + key.get<std::string>() + "'");
      }
    }
    if (schema.contains("properties")) {
      for (const auto& [key, sub] : schema["properties"].items()) {
        if (doc.contains(key)) {
          schema_violations(root, sub, doc[key], std::string(where).append("/").append(key), out);
        }
      }
    }
  }
  if (doc.is_array()) {
    if (schema.contains("minItems") && doc.size() < schema["minItems"].get<size_t>()) {
      out.push_back(where + ": fewer items than minItems");
    }
    if (schema.contains("maxItems") && doc.size() > schema["maxItems"].get<size_t>()) {
      out.push_back(where + ": more items than maxItems");
    }
    if (schema.contains("items")) {
      for (size_t i = 0; i < doc.size(); ++i) {
        schema_violations(root, schema["items"], doc[i], where + "/" + std::to_string(i), out);
      }
    }
  }
}

inline std::vector<std::string> schema_violations(const nlohmann::json& schema,
                                                  const nlohmann::json& doc) {
  std::vector<std::string> out;
  schema_violations(schema, schema, doc, "", out);
  return out;
}

}  // namespace tiervm::test
