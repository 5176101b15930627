// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {PoolStorage} from "./PoolStorage.sol";

/// @title PoolSignatures
/// @notice EIP-712 hashing and checking of the pool's relayed requests. Every signature is bound to
/// the chain id and this contract (the domain), to the signer's current nonce for its kind of
/// request, and to a deadline. Smart-contract wallets sign through ERC-1271.
abstract contract PoolSignatures is PoolStorage, EIP712 {
    bytes32 public constant TARGET_TYPEHASH = keccak256("Target(uint8 kind,bytes32 model,uint16 bps)");
    bytes32 public constant SET_ALLOCATION_TYPEHASH = keccak256(
        "SetAllocation(address owner,bytes32 model,Target[] targets,uint256 nonce,uint256 deadline)Target(uint8 kind,bytes32 model,uint16 bps)"
    );
    bytes32 public constant SET_POLICY_TYPEHASH = keccak256(
        "SetPolicy(address owner,bytes32 model,uint256 perRound,uint8 mode,uint256 nonce,uint256 deadline)"
    );
    bytes32 public constant WITHDRAWAL_TYPEHASH =
        keccak256("Withdrawal(address user,uint256 amount,uint256 nonce,uint256 deadline)");

    constructor() EIP712("nmrx PayoutPool", "1") {}

    /// @notice The EIP-712 domain separator of this chain and contract.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @dev Reverts unless `deadline` has not passed and `signature` is `signer`'s over `structHash`.
    function _checkSignature(address signer, bytes32 structHash, uint256 deadline, bytes calldata signature)
        internal
        view
    {
        if (block.timestamp > deadline) revert PayoutPoolExpired(deadline);
        if (!_isValidSignature(signer, _hashTypedDataV4(structHash), signature)) {
            revert PayoutPoolInvalidSignature(signer);
        }
    }

    /// @dev ECDSA for accounts without code, ERC-1271 for contract wallets. (OpenZeppelin's
    /// SignatureChecker reaches utils/Bytes.sol, which needs cancun's mcopy.)
    function _isValidSignature(address signer, bytes32 digest, bytes calldata signature) private view returns (bool) {
        if (signer.code.length == 0) {
            // slither-disable-next-line unused-return -- the third value only details the error already in `err`
            (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signature);
            // slither-disable-next-line incorrect-equality -- a signature check, not a balance or a time
            return err == ECDSA.RecoverError.NoError && recovered == signer;
        }
        (bool success, bytes memory result) =
            signer.staticcall(abi.encodeCall(IERC1271.isValidSignature, (digest, signature)));
        // slither-disable-next-line incorrect-equality -- ERC-1271's magic value, not a balance or a time
        return success && result.length >= 32 && abi.decode(result, (bytes4)) == IERC1271.isValidSignature.selector;
    }

    function _hashAllocation(
        address owner,
        bytes32 model,
        Target[] calldata targets,
        uint256 nonce,
        uint256 deadline
    ) internal pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](targets.length);
        for (uint256 i; i < targets.length; ++i) {
            hashes[i] = keccak256(abi.encode(TARGET_TYPEHASH, targets[i].kind, targets[i].model, targets[i].bps));
        }
        return keccak256(
            abi.encode(SET_ALLOCATION_TYPEHASH, owner, model, keccak256(abi.encodePacked(hashes)), nonce, deadline)
        );
    }

    function _hashPolicy(address owner, bytes32 model, uint256 perRound, StakeMode mode, uint256 nonce, uint256 deadline)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(SET_POLICY_TYPEHASH, owner, model, perRound, mode, nonce, deadline));
    }

    function _hashWithdrawal(address user, uint256 amount, uint256 nonce, uint256 deadline)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(WITHDRAWAL_TYPEHASH, user, amount, nonce, deadline));
    }
}
