// Manage the managed identities of Azure virtual machine scale sets safely: additive by default, casing-proof, one delta PATCH per change.
package vmssidentity
