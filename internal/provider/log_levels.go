package provider

import (
	"os"
	"strings"
)

// Provider logs Terraform will throw away are not written.
//
// The plugin SDK (terraform-plugin-go and the framework) and tflog write every log line as JSON
// to the plugin's stderr at TRACE unless an environment variable sets another level, and the CLI
// parses each line and keeps it only when its own provider log level allows: a plan of a thousand
// tokens spent a third of the provider's CPU writing lines nobody reads (framework issues 721 and
// 1269, OpenTofu issue 2969). The CLI's level for provider logs is, in Terraform 1.x and OpenTofu
// alike (internal/logging: providerLogLevel, parseLogLevel), TF_LOG_PROVIDER, else TF_LOG,
// upper-cased: empty is OFF, JSON is TRACE, any other value outside TRACE, DEBUG, INFO, WARN,
// ERROR and OFF is TRACE. The plugin inherits the CLI's environment, so it can compute the same
// level and set its loggers to it: what the CLI shows is unchanged, what it would drop is not
// written.

// sdkLogLevelVars are the variables that set the plugin's loggers: the SDK's root logger, its
// framework and protocol subsystems, and this provider's own root logger (TF_LOG_PROVIDER_ and
// the provider type, as terraform-plugin-go names it).
var sdkLogLevelVars = []string{"TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO", "TF_LOG_PROVIDER_JENKINS"}

// cliProviderLogLevel is the level the CLI keeps provider logs at, computed as Terraform and
// OpenTofu compute it.
func cliProviderLogLevel(getenv func(string) string) string {
	level := strings.ToUpper(getenv("TF_LOG_PROVIDER"))
	if level == "" {
		level = strings.ToUpper(getenv("TF_LOG"))
	}
	switch level {
	case "":
		return "OFF"
	case "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF":
		return level
	default: // JSON, and the invalid values the CLI turns into TRACE
		return "TRACE"
	}
}

// LogOnlyWhatTheCLIKeeps sets each of the plugin's log level variables the user did not set to
// the level the CLI keeps provider logs at. main calls it before serving, except in debug mode
// (the logs then go to the developer's terminal, not to a CLI); acceptance tests serve the
// provider in-process and never call it.
func LogOnlyWhatTheCLIKeeps() {
	level := cliProviderLogLevel(os.Getenv)
	for _, name := range sdkLogLevelVars {
		if _, set := os.LookupEnv(name); !set {
			_ = os.Setenv(name, level)
		}
	}
}
