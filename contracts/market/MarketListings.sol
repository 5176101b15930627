// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IMarketListings} from "../interfaces/IMarketListings.sol";
import {MarketReputation} from "./MarketReputation.sol";

/// @title MarketListings
/// @notice Listings and ask ladders: who may sell, which ladder is valid, and taking units off it.
abstract contract MarketListings is MarketReputation, IMarketListings {
    bytes32 public constant LADDER_TYPEHASH = keccak256(
        "Ladder(uint256 listingId,uint16 round,uint16 version,uint32 counter,uint32 deliverBy,uint32 expiry,uint256[] prices,uint256[] units)"
    );

    bytes32 private constant _DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    /// @notice Where model ownership is read.
    IModelRegistry public immutable registry;
    // The EIP-712 domain ("nmrx Marketplace", "1") cached for the deployment chain; recomputed
    // if the chain id changes (a fork), so a signature never carries over to another chain.
    bytes32 private immutable _cachedDomainSeparator;
    uint256 private immutable _cachedChainId;

    mapping(uint256 listingId => Listing) internal _listings;
    mapping(uint256 listingId => bytes32) private _posted;
    uint256 private _listingCount;

    constructor(IModelRegistry registry_) {
        registry = registry_;
        _cachedChainId = block.chainid;
        _cachedDomainSeparator = _buildDomainSeparator();
    }

    /// @inheritdoc IMarketListings
    function createListing(bytes32 modelId, Mode mode, uint16 fromRound, uint16 toRound)
        external
        returns (uint256 listingId)
    {
        if (uint256(modelId) > type(uint128).max) revert MarketplaceInvalidModelId(modelId);
        IModelRegistry.Model memory m = registry.modelOf(modelId);
        if (m.owner != msg.sender) revert MarketplaceNotModelOwner(modelId, msg.sender);
        if (fromRound == 0 || toRound < fromRound) revert MarketplaceInvalidRounds(fromRound, toRound);
        Seller storage s = _sellers[msg.sender];
        if (s.bond == 0 || s.bond < s.locked) revert MarketplaceBondTooLow(msg.sender, s.bond, s.locked);
        // The listing's terms are the current ones, for good: a ladder signed for it never reprices.
        (uint32 termsId, uint16 feeBps, uint16 minBondBps, uint32 verdictWindow) = terms.listingTerms(m.tournament);

        listingId = ++_listingCount;
        Listing memory l = Listing({
            seller: msg.sender,
            mode: mode,
            closed: false,
            version: 0,
            sold: 0,
            fromRound: fromRound,
            toRound: toRound,
            modelId: uint128(uint256(modelId)),
            soldRound: 0,
            feeBps: feeBps,
            minBondBps: minBondBps,
            terms: termsId,
            verdictWindow: verdictWindow
        });
        _listings[listingId] = l;
        emit ListingCreated(
            listingId, msg.sender, modelId, mode, fromRound, toRound, termsId, feeBps, minBondBps, verdictWindow
        );
    }

    /// @inheritdoc IMarketListings
    function closeListing(uint256 listingId) external {
        Listing storage l = _sellersOpenListing(listingId);
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
    function cancelLadder(uint256 listingId, uint16 version) external {
        Listing storage l = _sellersOpenListing(listingId);
        if (version < l.version) revert MarketplaceStaleVersion(listingId, l.version);
        uint16 next = version + 1;
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
    function DOMAIN_SEPARATOR() public view returns (bytes32) {
        return block.chainid == _cachedChainId ? _cachedDomainSeparator : _buildDomainSeparator();
    }

    /// @inheritdoc IMarketListings
    function listingOf(uint256 listingId) external view returns (Listing memory) {
        return _listings[listingId];
    }

    /// @inheritdoc IMarketListings
    function postedLadderOf(uint256 listingId) external view returns (bytes32) {
        return _posted[listingId];
    }

    /// @dev Checks that `ladder` may be filled (authorized, current, unexpired, model still the
    /// seller's) and takes up to `maxUnits` units from its first unsold unit of the ladder's round,
    /// stopping before a tier priced over `maxUnitPrice`.
    /// @return l The listing.
    /// @return units Units taken (at least one).
    /// @return cost Their total price.
    /// @return soldBefore Units of this version and round sold before this fill.
    function _takeFromLadder(Ladder calldata ladder, bytes32 r, bytes32 vs, uint256 maxUnits, uint256 maxUnitPrice)
        internal
        returns (Listing storage l, uint256 units, uint256 cost, uint256 soldBefore)
    {
        uint256 listingId = ladder.listingId;
        l = _openListing(listingId);
        address seller = l.seller;
        // A units array shorter than prices makes _walk revert on the index; a longer one is ignored.
        if (ladder.round < l.fromRound || ladder.round > l.toRound) {
            revert MarketplaceRoundNotListed(listingId, ladder.round);
        }
        if (block.timestamp > ladder.expiry) revert MarketplaceLadderExpired(ladder.expiry);
        if (ladder.counter != _sellers[seller].counter) {
            revert MarketplaceLadderCancelled(listingId, ladder.version, ladder.counter);
        }
        _checkAuthorized(seller, ladder, r, vs);
        _requireOwner(l);

        uint16 current = l.version;
        uint16 soldRound = l.soldRound;
        if (ladder.version < current) revert MarketplaceLadderCancelled(listingId, ladder.version, ladder.counter);
        if (ladder.round < soldRound) revert MarketplaceRoundClosed(listingId, ladder.round, soldRound);
        // The sold count belongs to one version and one round: a later round starts from zero.
        if (ladder.version == current && ladder.round == soldRound) soldBefore = l.sold;

        (units, cost) = _walk(ladder, soldBefore, maxUnits, maxUnitPrice);
        uint256 sold = soldBefore + units;
        if (sold > type(uint32).max) revert MarketplaceInvalidLadder();
        l.version = ladder.version;
        l.sold = uint32(sold);
        if (ladder.round != soldRound) l.soldRound = ladder.round;
    }

    /// @dev Reverts unless the listing's seller still owns its model in the registry.
    function _requireOwner(Listing storage l) internal view {
        bytes32 modelId = bytes32(uint256(l.modelId));
        address seller = l.seller;
        if (registry.ownerOf(modelId) != seller) revert MarketplaceNotModelOwner(modelId, seller);
    }

    function _walk(Ladder calldata ladder, uint256 skip, uint256 want, uint256 maxUnitPrice)
        private
        pure
        returns (uint256 units, uint256 cost)
    {
        uint256 tiers = ladder.prices.length;
        for (uint256 i; i < tiers; ++i) {
            uint256 tierUnits = ladder.units[i];
            if (skip >= tierUnits) {
                // Cannot underflow: skip >= tierUnits.
                unchecked {
                    skip -= tierUnits;
                }
                continue;
            }
            uint256 price = ladder.prices[i];
            if (price > maxUnitPrice || want == 0) break;
            uint256 take;
            // Cannot underflow: tierUnits > skip, and take <= want. units <= the caller's maxUnits.
            unchecked {
                take = tierUnits - skip;
                if (take > want) take = want;
                units += take;
                want -= take;
            }
            skip = 0;
            // Checked: signed prices times counts can overflow.
            cost += take * price;
        }
        if (units == 0) revert MarketplaceNothingToFill();
    }

    /// @dev `r == 0` stands for "no signature": the ladder must then be the one posted on-chain.
    function _checkAuthorized(address seller, Ladder calldata ladder, bytes32 r, bytes32 vs) private view {
        bytes32 ladderHash = _hashLadder(ladder);
        if (r == bytes32(0)) {
            if (_posted[ladder.listingId] != ladderHash) revert MarketplaceLadderNotPosted(ladder.listingId);
            return;
        }
        // slither-disable-next-line unused-return -- the third value only details `err`, which is checked
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(MessageHashUtils.toTypedDataHash(DOMAIN_SEPARATOR(), ladderHash), r, vs);
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

    function _buildDomainSeparator() private view returns (bytes32) {
        return keccak256(
            abi.encode(_DOMAIN_TYPEHASH, keccak256("nmrx Marketplace"), keccak256("1"), block.chainid, address(this))
        );
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
