// The version of create-dockervm and dockervm; scripts/build.mjs checks the packages' package.json agree.
export const VERSION = '0.1.0';
