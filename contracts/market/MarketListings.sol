// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IMarketListings} from "../interfaces/IMarketListings.sol";
import {MarketReputation} from "./MarketReputation.sol";

/// @title MarketListings
/// @notice Listings and ask ladders: who may sell, which ladder is valid, and taking units off it.
abstract contract MarketListings is MarketReputation, EIP712, IMarketListings {
    bytes32 public constant LADDER_TYPEHASH = keccak256(
        "Ladder(uint256 listingId,uint32 round,uint32 version,uint32 counter,uint32 deliverBy,uint32 expiry,uint256[] prices,uint256[] units)"
    );

    /// @notice Where model ownership is read.
    IModelRegistry public immutable registry;

    mapping(uint256 listingId => Listing) internal _listings;
    mapping(uint256 listingId => bytes32) private _posted;
    uint256 private _listingCount;

    constructor(IModelRegistry registry_) EIP712("nmrx Marketplace", "1") {
        registry = registry_;
    }

    /// @inheritdoc IMarketListings
    function createListing(bytes32 modelId, Mode mode, uint32 fromRound, uint32 toRound)
        external
        returns (uint256 listingId)
    {
        if (registry.ownerOf(modelId) != msg.sender) revert MarketplaceNotModelOwner(modelId, msg.sender);
        if (fromRound == 0 || toRound < fromRound) revert MarketplaceInvalidRounds(fromRound, toRound);
        Seller memory s = _sellers[msg.sender];
        uint256 required = _requiredBond(s.exposure);
        if (s.bond == 0 || s.bond < required) revert MarketplaceBondTooLow(msg.sender, s.bond, required);

        listingId = ++_listingCount;
        _listings[listingId] = Listing({
            seller: msg.sender,
            mode: mode,
            closed: false,
            version: 0,
            sold: 0,
            modelId: modelId,
            fromRound: fromRound,
            toRound: toRound
        });
        emit ListingCreated(listingId, msg.sender, modelId, mode, fromRound, toRound);
    }

    /// @inheritdoc IMarketListings
    function closeListing(uint256 listingId) external {
        Listing storage l = _openListing(listingId);
        address seller = l.seller;
        if (msg.sender != seller && registry.ownerOf(l.modelId) == seller) {
            revert MarketplaceListingStillValid(listingId);
        }
        l.closed = true;
        emit ListingClosed(listingId, msg.sender);
    }

    /// @inheritdoc IMarketListings
    function postLadder(Ladder calldata ladder) external {
        Listing storage l = _sellersOpenListing(ladder.listingId);
        _checkLadder(l, ladder);
        if (ladder.version < l.version) revert MarketplaceStaleVersion(ladder.listingId, l.version);
        bytes32 ladderHash = _hashLadder(ladder);
        _posted[ladder.listingId] = ladderHash;
        emit LadderPosted(ladder.listingId, ladderHash, ladder);
    }

    /// @inheritdoc IMarketListings
    function cancelLadder(uint256 listingId, uint32 version) external {
        Listing storage l = _sellersOpenListing(listingId);
        if (version < l.version) revert MarketplaceStaleVersion(listingId, l.version);
        uint32 next = version + 1;
        l.version = next;
        l.sold = 0;
        emit LadderVersionChanged(listingId, next);
    }

    /// @inheritdoc IMarketListings
    function cancelAllLadders() external {
        uint32 counter = ++_sellers[msg.sender].counter;
        emit SellerCounterIncremented(msg.sender, counter);
    }

    /// @inheritdoc IMarketListings
    function listingOf(uint256 listingId) external view returns (Listing memory) {
        return _listings[listingId];
    }

    /// @inheritdoc IMarketListings
    function postedLadderOf(uint256 listingId) external view returns (bytes32) {
        return _posted[listingId];
    }

    /// @dev Checks that `ladder` may be filled (authorized, current, unexpired) and takes up to
    /// `maxUnits` units from its first unsold unit, stopping before a tier priced over `maxUnitPrice`.
    /// @return seller The listing's seller.
    /// @return mode The listing's mode.
    /// @return units Units taken (at least one).
    /// @return cost Their total price.
    /// @return soldBefore Units of this version sold before this fill (makes the order id unique).
    function _takeFromLadder(Ladder calldata ladder, bytes calldata signature, uint256 maxUnits, uint256 maxUnitPrice)
        internal
        returns (address seller, Mode mode, uint256 units, uint256 cost, uint256 soldBefore)
    {
        uint256 listingId = ladder.listingId;
        Listing storage l = _openListing(listingId);
        seller = l.seller;
        mode = l.mode;
        _checkLadder(l, ladder);
        if (block.timestamp > ladder.expiry) revert MarketplaceLadderExpired(ladder.expiry);
        if (ladder.counter != _sellers[seller].counter) {
            revert MarketplaceLadderCancelled(listingId, ladder.version, ladder.counter);
        }
        _checkAuthorized(seller, ladder, signature);

        uint32 current = l.version;
        if (ladder.version == current) soldBefore = l.sold;
        else if (ladder.version < current) revert MarketplaceLadderCancelled(listingId, ladder.version, ladder.counter);

        (units, cost) = _walk(ladder, soldBefore, maxUnits, maxUnitPrice);
        uint256 sold = soldBefore + units;
        if (sold > type(uint48).max) revert MarketplaceInvalidLadder();
        l.version = ladder.version;
        l.sold = uint48(sold);
    }

    function _walk(Ladder calldata ladder, uint256 skip, uint256 want, uint256 maxUnitPrice)
        private
        pure
        returns (uint256 units, uint256 cost)
    {
        uint256 tiers = ladder.prices.length;
        for (uint256 i; i < tiers && want > 0; ++i) {
            uint256 tierUnits = ladder.units[i];
            if (skip >= tierUnits) {
                skip -= tierUnits;
                continue;
            }
            uint256 price = ladder.prices[i];
            if (price > maxUnitPrice) break;
            uint256 take = tierUnits - skip;
            skip = 0;
            if (take > want) take = want;
            units += take;
            cost += take * price;
            want -= take;
        }
        if (units == 0) revert MarketplaceNothingToFill();
    }

    function _checkAuthorized(address seller, Ladder calldata ladder, bytes calldata signature) private view {
        bytes32 ladderHash = _hashLadder(ladder);
        if (signature.length == 0) {
            if (_posted[ladder.listingId] != ladderHash) revert MarketplaceLadderNotPosted(ladder.listingId);
            return;
        }
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(_hashTypedDataV4(ladderHash), signature);
        if (err != ECDSA.RecoverError.NoError || signer != seller) revert MarketplaceInvalidSignature();
    }

    function _checkLadder(Listing storage l, Ladder calldata ladder) private view {
        if (ladder.round < l.fromRound || ladder.round > l.toRound) {
            revert MarketplaceRoundNotListed(ladder.listingId, ladder.round);
        }
        uint256 tiers = ladder.prices.length;
        if (tiers == 0 || tiers != ladder.units.length) revert MarketplaceInvalidLadder();
    }

    function _openListing(uint256 listingId) internal view returns (Listing storage l) {
        l = _listings[listingId];
        if (l.seller == address(0) || l.closed) revert MarketplaceListingNotOpen(listingId);
    }

    function _sellersOpenListing(uint256 listingId) private view returns (Listing storage l) {
        l = _openListing(listingId);
        if (l.seller != msg.sender) revert MarketplaceNotSeller(listingId, msg.sender);
    }

    function _hashLadder(Ladder calldata ladder) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                LADDER_TYPEHASH,
                ladder.listingId,
                ladder.round,
                ladder.version,
                ladder.counter,
                ladder.deliverBy,
                ladder.expiry,
                keccak256(abi.encodePacked(ladder.prices)),
                keccak256(abi.encodePacked(ladder.units))
            )
        );
    }
}
