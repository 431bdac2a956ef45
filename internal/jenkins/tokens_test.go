package jenkins

import (
	"reflect"
	"testing"
)

func TestSortTokensLikeJenkins(t *testing.T) {
	ts := []Token{
		{UserID: "bob", Name: "laptop", UUID: "3"},
		{UserID: "Alice", Name: "z", UUID: "1"},
		{UserID: "bob", Name: "Legacy Token", UUID: "2"},
		{UserID: "bob", Name: "ci", UUID: "5"},
		{UserID: "bob", Name: "ci", UUID: "4"},
	}
	sortTokens(ts)
	var got []string
	for _, tk := range ts {
		got = append(got, tk.UserID+"/"+tk.Name+"/"+tk.UUID)
	}
	want := []string{"Alice/z/1", "bob/ci/4", "bob/ci/5", "bob/laptop/3", "bob/Legacy Token/2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order = %v, want %v (user and name case-insensitively, then uuid)", got, want)
	}
}
