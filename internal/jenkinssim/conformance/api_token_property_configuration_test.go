package conformance

import "testing"

// Mirrors test/src/test/java/jenkins/security/apitoken/ApiTokenPropertyConfigurationTest.java.

// TestApiTokenPropertyConfiguration_newUserTokenConfiguration mirrors
// ApiTokenPropertyConfigurationTest#newUserTokenConfiguration.
func TestApiTokenPropertyConfiguration_newUserTokenConfiguration(t *testing.T) {
	fresh(t)
	type userState struct {
		HasLegacy bool
		Tokens    int
		Token     string
	}
	var r struct{ With, Without userState }
	scriptJSON(t, `def config = ApiTokenPropertyConfiguration.get()
def state = { String id ->
    def p = User.getById(id, true).getProperty(ApiTokenProperty)
    [hasLegacy: p.hasLegacyToken(), tokens: p.getTokenList().size(), token: asSystem { p.getApiToken() }]
}
config.setTokenGenerationOnCreationEnabled(true)
def with = state('userWith')
config.setTokenGenerationOnCreationEnabled(false)
def without = state('userWithout')
println JsonOutput.toJson([with: with, without: without])`, nil, &r)
	if !r.With.HasLegacy || r.With.Tokens != 1 || r.With.Token == msgNoLegacyToken {
		t.Errorf("created with token generation on: %+v", r.With)
	}
	if r.Without.HasLegacy || r.Without.Tokens != 0 || r.Without.Token != msgNoLegacyToken {
		t.Errorf("created with token generation off: %+v", r.Without)
	}
}
