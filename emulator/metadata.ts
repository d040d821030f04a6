// ARM's cloud metadata document, GET /metadata/endpoints?api-version=2015-01-01 (no token needed), which
// `az cloud register --endpoint-resource-manager <url>` reads to fill in the authority and the token audience
// (msrestazure's _populate_from_metadata_endpoint). The public cloud answers
// https://management.azure.com/metadata/endpoints?api-version=2015-01-01 with this shape; Azure Stack Hub
// names its AD FS authority (`…/adfs`) as loginEndpoint, which is what the emulator does so that MSAL asks
// no instance-discovery service.

/** The metadata document for an emulator reached at `baseUrl`. */
export function cloudMetadata(baseUrl: string): Record<string, unknown> {
  return {
    galleryEndpoint: `${baseUrl}/`,
    graphEndpoint: "https://graph.windows.net/",
    portalEndpoint: `${baseUrl}/`,
    authentication: {
      loginEndpoint: `${baseUrl}/adfs`,
      audiences: ["https://management.azure.com/", "https://management.core.windows.net/"],
    },
  };
}
