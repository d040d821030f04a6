// Public entry point of pulumi-vmss-identity. Each layer adds its exports here as it lands.
export {};
