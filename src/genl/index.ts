/** Generic netlink: families resolved through nlctrl, driven by their generated descriptors. */
export * from './family.js';
