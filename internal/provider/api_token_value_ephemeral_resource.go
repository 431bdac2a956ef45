package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

var _ ephemeral.EphemeralResource = (*apiTokenValueEphemeralResource)(nil)

// apiTokenValueEphemeralResource draws a token value in Jenkins's format, locally: no Jenkins
// call, nothing in the plan or the state. One run hands the same value to jenkins_user_api_token's
// token_wo and to a secret store's write-only argument, so that the value lives only where it
// is used.
type apiTokenValueEphemeralResource struct{}

type apiTokenValueModel struct {
	Value types.String `tfsdk:"value"`
}

func NewAPITokenValueEphemeralResource() ephemeral.EphemeralResource {
	return &apiTokenValueEphemeralResource{}
}

func (r *apiTokenValueEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_token_value"
}

func (r *apiTokenValueEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A new Jenkins API token value (`11` followed by 32 random hex digits, from the operating " +
			"system's cryptographic random source), drawn locally: no Jenkins call, and the value never appears in the plan " +
			"or the state. Each run draws a new one, `plan` and `apply` included. Give it to `jenkins_user_api_token`'s " +
			"`token_wo` and, in the same run, to a secret store's write-only argument (for example " +
			"`vault_kv_secret_v2.data_json_wo` or `aws_secretsmanager_secret_version.secret_string_wo`). Derive the " +
			"store's write-only version from the token's `created_at`, so that the store takes the value in exactly the " +
			"runs that create the token (first apply, `token_wo_version` changes, replacements); other runs ignore the " +
			"value drawn. Needs Terraform 1.11 or later, or OpenTofu 1.11 or later.",
		Attributes: map[string]schema.Attribute{
			"value": schema.StringAttribute{
				MarkdownDescription: "The token value.",
				Computed:            true,
				Sensitive:           true,
			},
		},
	}
}

func (r *apiTokenValueEphemeralResource) Open(ctx context.Context, _ ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	v, err := jenkins.NewTokenValue()
	if err != nil {
		resp.Diagnostics.AddError("Unable to Draw a Token Value", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, &apiTokenValueModel{Value: types.StringValue(v)})...)
}
