package provider

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

// emptyTokenIdentity is a null identity of jenkins_user_api_token, as the framework hands one
// to Read before Terraform stored any.
func emptyTokenIdentity(t *testing.T) *tfsdk.ResourceIdentity {
	t.Helper()
	var resp resource.IdentitySchemaResponse
	NewUserAPITokenResource().(resource.ResourceWithIdentity).IdentitySchema(context.Background(), resource.IdentitySchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	return &tfsdk.ResourceIdentity{
		Schema: resp.IdentitySchema,
		Raw:    tftypes.NewValue(resp.IdentitySchema.Type().TerraformType(context.Background()), nil),
	}
}

// The identity the query builds without reflection is the one the framework builds from
// tokenIdentity, for the default controller and a named one.
func TestTokenIdentityValueIsWhatTheFrameworkMakes(t *testing.T) {
	ctx := context.Background()
	for _, controller := range []types.String{types.StringNull(), types.StringValue("prod")} {
		want := emptyTokenIdentity(t)
		if diags := want.Set(ctx, tokenIdentity{Controller: controller, UserID: types.StringValue("alice"), UUID: types.StringValue("u-1")}); diags.HasError() {
			t.Fatal(diags)
		}
		got := tokenIdentityValue(want.Raw.Type(), controller, "alice", "u-1")
		if !got.Equal(want.Raw) {
			t.Errorf("controller %s: built %s, the framework makes %s", controller, got, want.Raw)
		}
	}
}

// Read skips writing the identity only when it already is the one it would write.
func TestIdentityHoldsOnlyTheIdentityReadWouldWrite(t *testing.T) {
	ctx := context.Background()
	tok := jenkins.Token{UserID: "alice", UUID: "u-1"}
	stored := func(controller types.String) *tfsdk.ResourceIdentity {
		id := emptyTokenIdentity(t)
		var diags diag.Diagnostics
		setIdentity(ctx, id, controller, tok, &diags)
		if diags.HasError() {
			t.Fatal(diags)
		}
		return id
	}
	cases := []struct {
		name       string
		identity   *tfsdk.ResourceIdentity
		controller types.String
		tok        jenkins.Token
		want       bool
	}{
		{"same, default controller", stored(types.StringNull()), types.StringNull(), tok, true},
		{"same, the default named empty", stored(types.StringNull()), types.StringValue(""), tok, true},
		{"same, named controller", stored(types.StringValue("prod")), types.StringValue("prod"), tok, true},
		{"none stored yet (Terraform before 1.12)", emptyTokenIdentity(t), types.StringNull(), tok, false},
		{"other controller", stored(types.StringNull()), types.StringValue("prod"), tok, false},
		{"controller gone", stored(types.StringValue("prod")), types.StringNull(), tok, false},
		{"other spelling of the user", stored(types.StringNull()), types.StringNull(), jenkins.Token{UserID: "Alice", UUID: "u-1"}, false},
		{"other token", stored(types.StringNull()), types.StringNull(), jenkins.Token{UserID: "alice", UUID: "u-2"}, false},
	}
	for _, c := range cases {
		if got := identityHolds(c.identity, c.controller, c.tok); got != c.want {
			t.Errorf("%s: identityHolds = %v, want %v", c.name, got, c.want)
		}
	}
	if !identityHolds(nil, types.StringNull(), tok) {
		t.Error("no identity support (nil): nothing to write, identityHolds should say so")
	}
}

// Read writes the state back only when a value it refreshes changed: every field setFromToken
// and setDatesFrom set must be one sameRefreshedValues compares, or a change Jenkins reports
// would never reach the state.
func TestSameRefreshedValuesComparesEveryRefreshedField(t *testing.T) {
	prior := userAPITokenModel{RotateBeforeDays: types.Int64Value(30), RotationTriggers: types.MapNull(types.StringType)}
	refreshed := prior
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	setFromToken(&refreshed, jenkins.Token{
		UserID: "alice", UUID: "u-1", Name: "ci", CreatedAt: &created, ExpirationDate: "2026-12-20", Expired: true,
	})
	refreshed.setDatesFrom(jenkins.Token{ExpirationDate: "2026-12-20"}, "2026-12-04")
	pv, rv := reflect.ValueOf(prior), reflect.ValueOf(refreshed)
	changed := 0
	for i := range pv.NumField() {
		p, r := pv.Field(i).Interface().(attr.Value), rv.Field(i).Interface().(attr.Value)
		if p.Equal(r) {
			continue
		}
		changed++
		one := prior
		reflect.ValueOf(&one).Elem().Field(i).Set(rv.Field(i))
		if one.sameRefreshedValues(prior) {
			t.Errorf("%s changes in Read (%s to %s), but sameRefreshedValues ignores it", pv.Type().Field(i).Name, p, r)
		}
	}
	if changed < 8 {
		t.Errorf("only %d fields changed: the test's token should change every refreshed value", changed)
	}
	if !refreshed.sameRefreshedValues(refreshed) {
		t.Error("a model is not the same as itself")
	}
}
