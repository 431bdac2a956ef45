package conformance

import (
	"strings"
	"testing"
)

// Mirrors test/src/test/java/jenkins/security/seed/UserSeedPropertyTest.java. The Jenkins test
// renews the seed as anonymous on a Jenkins without authorization (anonymous may do anything);
// the simulator's authorization is fixed, so the admin sends the request. The simulator has no
// authenticated sessions: where the Jenkins test sees a session end, the mirror sees what
// doRenewSessionSeed does to the user's record (UserSeedProperty.java:139-145): a new seed and
// the authorities of the last login invalidated.

const seedURL = "/descriptorByName/jenkins.security.seed.UserSeedProperty/renewSessionSeed/"

func userSeed(t testing.TB, id string) string {
	t.Helper()
	var r struct{ Seed string }
	scriptJSON(t, `def u = User.getById(params.id, false)
println JsonOutput.toJson([seed: u.getProperty(jenkins.security.seed.UserSeedProperty).getSeed()])`, map[string]any{"id": id}, &r)
	return r.Seed
}

// requestRenewSeedForUser is the test's helper: a POST to the user's renewSessionSeed URL.
func requestRenewSeedForUser(t testing.TB, id string) response {
	t.Helper()
	return call(t, "POST", "user/"+id+seedURL, "admin", "admin", nil, nil)
}

// TestUserSeedProperty_userCreation_implies_userSeedCreation mirrors
// UserSeedPropertyTest#userCreation_implies_userSeedCreation.
func TestUserSeedProperty_userCreation_implies_userSeedCreation(t *testing.T) {
	fresh(t)
	scriptOK(t, `def alice = User.getById('alice', true)
assert alice != null
def userSeed = alice.getProperty(jenkins.security.seed.UserSeedProperty)
assert userSeed != null
assert userSeed.getSeed() != null`, nil)
}

// TestUserSeedProperty_userSeedRenewal_changeTheSeed mirrors
// UserSeedPropertyTest#userSeedRenewal_changeTheSeed.
func TestUserSeedProperty_userSeedRenewal_changeTheSeed(t *testing.T) {
	fresh(t)
	setCrumbIssuer(t, false)
	scriptOK(t, `User.getById('alice', true)`, nil)
	seeds := map[string]bool{userSeed(t, "alice"): true}
	const times = 10
	for i := 1; i < times; i++ {
		mustStatus(t, requestRenewSeedForUser(t, "alice"), 200)
		seeds[userSeed(t, "alice")] = true
	}
	if len(seeds) != times || seeds[""] {
		t.Fatalf("%d distinct seeds, want %d non-empty: %v", len(seeds), times, seeds)
	}
}

// TestUserSeedProperty_initialUserSeedIsAlwaysDifferent mirrors
// UserSeedPropertyTest#initialUserSeedIsAlwaysDifferent.
func TestUserSeedProperty_initialUserSeedIsAlwaysDifferent(t *testing.T) {
	fresh(t)
	scriptOK(t, `def seeds = new HashSet()
10.times {
    def alice = User.getById('alice', true)
    seeds.add(alice.getProperty(jenkins.security.seed.UserSeedProperty).getSeed())
    alice.delete()
}
assert seeds.size() == 10
assert !seeds.contains('') && !seeds.contains(null)`, nil)
}

// TestUserSeedProperty_differentUserHaveDifferentInitialSeeds mirrors
// UserSeedPropertyTest#differentUserHaveDifferentInitialSeeds.
func TestUserSeedProperty_differentUserHaveDifferentInitialSeeds(t *testing.T) {
	fresh(t)
	scriptOK(t, `def ids = ['Alice', 'Bob', 'Charles', 'Derek', 'Edward']
def seeds = new HashSet()
ids.each { seeds.add(User.getById(it, true).getProperty(jenkins.security.seed.UserSeedProperty).getSeed()) }
assert seeds.size() == ids.size()
assert !seeds.contains('') && !seeds.contains(null)`, nil)
}

// TestUserSeedProperty_userCreatedInThirdPartyRealm_canReconnect_afterSessionInvalidation mirrors
// UserSeedPropertyTest#userCreatedInThirdPartyRealm_canReconnect_afterSessionInvalidation, with
// the adaptation above: alice logs in (her record gets the authorities the realm granted), the
// renewal gives her a new seed and invalidates that record (only "authenticated" left, the time
// stamped: LastGrantedAuthoritiesProperty.java:104-110), and her next login records her again.
func TestUserSeedProperty_userCreatedInThirdPartyRealm_canReconnect_afterSessionInvalidation(t *testing.T) {
	fresh(t)
	setCrumbIssuer(t, false)
	if err := sim.AddRealmUsers(testCtx(t), "alice"); err != nil {
		t.Fatal(err)
	}
	first, err := sim.WebLogin(testCtx(t), "alice", "authenticated", "staff")
	if err != nil {
		t.Fatal(err)
	}
	seed := userSeed(t, "alice")
	type record struct {
		Roles     []string
		Timestamp int64
		Granted   []string
	}
	read := func() record {
		t.Helper()
		var r record
		scriptJSON(t, `def p = User.getById('alice', false).getProperty(jenkins.security.LastGrantedAuthoritiesProperty)
println JsonOutput.toJson([roles: p.@roles, timestamp: p.@timestamp, granted: p.getAuthorities2().collect { it.toString() }])`, nil, &r)
		return r
	}
	if r := read(); len(r.Roles) != 2 || r.Timestamp != first {
		t.Fatalf("after the login: %+v", r)
	}

	mustStatus(t, requestRenewSeedForUser(t, "alice"), 200)
	if userSeed(t, "alice") == seed {
		t.Fatal("the seed did not change")
	}
	r := read()
	if r.Roles != nil || r.Timestamp < first || len(r.Granted) != 1 || r.Granted[0] != "authenticated" {
		t.Fatalf("after the renewal: %+v, want no roles, a new stamp, only authenticated", r)
	}
	// The renewal saved it: a restart keeps it.
	restart(t)
	if r2 := read(); r2.Roles != nil || r2.Timestamp != r.Timestamp {
		t.Fatalf("after a restart: %+v, want %+v", r2, r)
	}

	again, err := sim.WebLogin(testCtx(t), "alice", "authenticated", "staff")
	if err != nil {
		t.Fatal(err)
	}
	if r := read(); len(r.Roles) != 2 || r.Timestamp != again {
		t.Fatalf("after logging in again: %+v", r)
	}
}

// TestUserSeedProperty_userAfterBeingDeletedInThirdPartyRealm_canStillUseTheirSession_withDisabledSeed
// mirrors the test of that name as far as the record shows it: with DISABLE_USER_SEED the
// renewal fails (404, UserSeedProperty.java:134-136) and changes nothing; renewSeed() called
// directly still renews.
func TestUserSeedProperty_userAfterBeingDeletedInThirdPartyRealm_canStillUseTheirSession_withDisabledSeed(t *testing.T) {
	fresh(t)
	setCrumbIssuer(t, false)
	scriptOK(t, `jenkins.security.seed.UserSeedProperty.DISABLE_USER_SEED = true`, nil)
	t.Cleanup(func() { scriptOK(t, `jenkins.security.seed.UserSeedProperty.DISABLE_USER_SEED = false`, nil) })
	if err := sim.AddRealmUsers(testCtx(t), "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.WebLogin(testCtx(t), "alice"); err != nil {
		t.Fatal(err)
	}
	seed := userSeed(t, "alice")
	r := requestRenewSeedForUser(t, "alice")
	mustStatus(t, r, 404)
	if !strings.Contains(r.Body, "User seed feature is disabled") {
		t.Errorf("404 body: %.300s", r.Body)
	}
	if userSeed(t, "alice") != seed {
		t.Fatal("a failed renewal changed the seed")
	}
	scriptOK(t, `User.getById('alice', false).getProperty(jenkins.security.seed.UserSeedProperty).renewSeed()`, nil)
	if userSeed(t, "alice") == seed {
		t.Fatal("renewSeed() did not renew")
	}
}
