package provider

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

// dateLayout is the YYYY-MM-DD form of expiration dates, as Jenkins's LocalDate prints them.
const dateLayout = "2006-01-02"

// stringCheck is a plan-time validator made of a check function: the attribute's value is
// rejected, with summary as the diagnostic's title, when check returns an error.
type stringCheck struct {
	description string
	summary     string
	check       func(p path.Path, v string) error
}

func (c stringCheck) Description(context.Context) string { return c.description }

func (c stringCheck) MarkdownDescription(ctx context.Context) string { return c.Description(ctx) }

func (c stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := c.check(req.Path, req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, c.summary, err.Error())
	}
}

// tokenNameValidator refuses a token name that is empty or only blanks. Jenkins's own pages
// never make one: generateNewToken replaces a blank name with "Token created on ...", and rename
// refuses it ("The name cannot be empty"), both by Java's trim(), which removes every character
// up to U+0020. Only the scripting API (addFixedNewToken) accepts such a name, and the token
// would then show on the security page without a readable name.
var tokenNameValidator = stringCheck{
	description: "must hold a character other than blanks and control characters (what Jenkins's trim() keeps)",
	summary:     "Blank Token Name",
	check: func(p path.Path, v string) error {
		for _, r := range v {
			if r > ' ' {
				return nil
			}
		}
		return fmt.Errorf("%s is empty or only blanks: Jenkins's security page refuses such a name when renaming and replaces "+
			"it when generating a token; give the token a name people can read", p)
	},
}

// regexValidator rejects a name_regex that does not compile.
var regexValidator = stringCheck{
	description: "value must be a valid RE2 regular expression",
	summary:     "Invalid Regular Expression",
	check: func(_ path.Path, v string) error {
		_, err := compileNameRegex(v)
		return err
	},
}

// anyRegexValidator rejects a regular expression that does not compile, naming the attribute.
var anyRegexValidator = stringCheck{
	description: "value must be a valid RE2 regular expression",
	summary:     "Invalid Regular Expression",
	check: func(p path.Path, v string) error {
		if _, err := regexp.Compile(v); err != nil {
			return fmt.Errorf("%s %q is not a valid regular expression (RE2 syntax, as in Go and Terraform's regex()): %v", p, v, err)
		}
		return nil
	},
}

// rfc3339Validator rejects a timestamp that is not RFC 3339.
var rfc3339Validator = stringCheck{
	description: "value must be an RFC 3339 timestamp such as 2026-01-31T00:00:00Z",
	summary:     "Invalid Timestamp",
	check: func(p path.Path, v string) error {
		_, err := parseRFC3339(p.String(), v)
		return err
	},
}

// dateValidator rejects anything but a real calendar date in YYYY-MM-DD form.
var dateValidator = stringCheck{
	description: "value must be a date in YYYY-MM-DD form",
	summary:     "Invalid Date",
	check: func(p path.Path, v string) error {
		if _, err := time.Parse(dateLayout, v); err != nil {
			return fmt.Errorf("%s must be a date in YYYY-MM-DD form, such as \"2027-03-31\", got %q", p, v)
		}
		return nil
	},
}

// durationRule is what a duration attribute accepts: a Go duration string within [min, max].
type durationRule struct {
	min, max time.Duration
	example  string
}

var (
	requestTimeoutRule  = durationRule{min: time.Millisecond, max: time.Hour, example: `"30s" or "2m"`}
	readBatchWindowRule = durationRule{min: 0, max: time.Minute, example: `"20ms", or "0s" for no batching`}
	scriptBudgetRule    = durationRule{min: time.Second, max: 10 * time.Minute, example: `"20s" or "45s"`}
)

// parse checks v against the rule; p names the attribute in the error.
func (r durationRule) parse(p path.Path, v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d < r.min || d > r.max {
		return 0, fmt.Errorf("%s must be a duration from %s to %s, such as %s, got %q", p, r.min, r.max, r.example, v)
	}
	return d, nil
}

// validator checks the rule when Terraform validates the configuration, before any plan.
func (r durationRule) validator() stringCheck {
	return stringCheck{
		description: fmt.Sprintf("value must be a duration from %s to %s", r.min, r.max),
		summary:     "Invalid Duration",
		check: func(p path.Path, v string) error {
			_, err := r.parse(p, v)
			return err
		},
	}
}

// tokenValueValidator refuses, at plan time, a token value Jenkins would refuse or that would
// never log in, saying what is wrong without repeating the value (it is a secret).
var tokenValueValidator = stringCheck{
	description: `value must be a Jenkins API token value: "11" followed by 32 lower-case hex digits`,
	summary:     "Invalid Jenkins API Token Value",
	check: func(p path.Path, v string) error {
		if err := jenkins.ValidateTokenValue(v); err != nil {
			return fmt.Errorf("%s: %v. Draw one with the jenkins_api_token_value ephemeral resource", p, err)
		}
		return nil
	},
}
