// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketRoles} from "../interfaces/IMarketRoles.sol";
import {IMarketTerms} from "../interfaces/IMarketTerms.sol";

/// @title MarketTerms
/// @notice Versioned, bounded, delayed terms (rates and windows) of one marketplace, which deploys
/// this contract in its constructor and whose admin sets them.
contract MarketTerms is IMarketTerms {
    uint256 internal constant BPS = 10_000;
    uint256 public constant MAX_FEE_BPS = 1_000;
    uint256 public constant MAX_BOND_BPS = 20_000;
    uint256 public constant MAX_DISPUTE_BOND = 10_000e18;
    uint32 public constant MIN_WINDOW = 1 hours;
    uint32 public constant MAX_WINDOW = 30 days;
    /// @notice Time between setting terms and new listings getting them.
    uint256 public constant TERMS_DELAY = 3 days;

    /// @inheritdoc IMarketTerms
    address public immutable market;

    mapping(uint256 termsId => Terms) private _terms;
    uint32 private _termsCount;
    uint32 private _activeTerms;
    uint32 private _pendingTermsId;
    uint32 private _pendingFrom;

    modifier onlyMarketAdmin() {
        if (!IMarketRoles(market).hasRole(0x00, msg.sender)) revert MarketTermsUnauthorized(msg.sender);
        _;
    }

    constructor(Rates memory initialRates, Windows memory initialWindows) {
        _checkRates(initialRates);
        _checkWindows(initialWindows);
        market = msg.sender;
        _terms[1] = Terms(initialRates, initialWindows);
        _termsCount = 1;
        _activeTerms = 1;
        emit TermsScheduled(1, block.timestamp);
    }

    /// @inheritdoc IMarketTerms
    function setRates(Rates calldata newRates) external onlyMarketAdmin {
        _checkRates(newRates);
        Terms memory t = _terms[_latestTermsId()];
        t.rates = newRates;
        _schedule(t);
    }

    /// @inheritdoc IMarketTerms
    function setWindows(Windows calldata newWindows) external onlyMarketAdmin {
        _checkWindows(newWindows);
        Terms memory t = _terms[_latestTermsId()];
        t.windows = newWindows;
        _schedule(t);
    }

    /// @inheritdoc IMarketTerms
    function rates() external view returns (Rates memory) {
        return _terms[_currentTermsId()].rates;
    }

    /// @inheritdoc IMarketTerms
    function windows() external view returns (Windows memory) {
        return _terms[_currentTermsId()].windows;
    }

    /// @inheritdoc IMarketTerms
    function currentTermsId() external view returns (uint256) {
        return _currentTermsId();
    }

    /// @inheritdoc IMarketTerms
    function pendingTerms() external view returns (uint256 termsId, uint256 effectiveFrom) {
        if (_pendingTermsId == 0 || block.timestamp >= _pendingFrom) return (0, 0);
        return (_pendingTermsId, _pendingFrom);
    }

    /// @inheritdoc IMarketTerms
    function termsOf(uint256 termsId) external view returns (Terms memory) {
        return _terms[termsId];
    }

    /// @inheritdoc IMarketTerms
    function ratesOf(uint256 termsId) external view returns (Rates memory) {
        return _terms[termsId].rates;
    }

    /// @inheritdoc IMarketTerms
    function windowsOf(uint256 termsId) external view returns (Windows memory) {
        return _terms[termsId].windows;
    }

    /// @inheritdoc IMarketTerms
    function listingTerms(uint32 tournament)
        external
        view
        returns (uint32 termsId, uint16 feeBps, uint16 minBondBps, uint32 verdictWindow)
    {
        termsId = _currentTermsId();
        Terms storage t = _terms[termsId];
        feeBps = t.rates.feeBps;
        minBondBps = t.rates.minBondBps;
        verdictWindow = t.windows.verdictWindow;
        uint32 firstScore = firstScoreDelay(tournament);
        if (verdictWindow < firstScore) verdictWindow = firstScore;
    }

    /// @inheritdoc IMarketTerms
    function firstScoreDelay(uint32 tournament) public pure returns (uint32) {
        if (tournament == 8 || tournament == 12) return 4 days;
        return 7 days;
    }

    function _currentTermsId() private view returns (uint32) {
        uint32 pending = _pendingTermsId;
        if (pending != 0 && block.timestamp >= _pendingFrom) return pending;
        return _activeTerms;
    }

    /// @dev The newest terms set, pending or not: a new change builds on it.
    function _latestTermsId() private view returns (uint32) {
        uint32 pending = _pendingTermsId;
        return pending != 0 ? pending : _activeTerms;
    }

    function _schedule(Terms memory t) private {
        // A pending version that is already due becomes the active one before being replaced.
        _activeTerms = _currentTermsId();
        uint32 id = ++_termsCount;
        uint256 effectiveFrom = block.timestamp + TERMS_DELAY;
        _terms[id] = t;
        _pendingTermsId = id;
        _pendingFrom = uint32(effectiveFrom);
        emit TermsScheduled(id, effectiveFrom);
    }

    function _checkRates(Rates memory r) private pure {
        if (
            r.feeBps > MAX_FEE_BPS || r.minBondBps > MAX_BOND_BPS || r.buyerCollateralBps > BPS
                || r.sellerSlashBps > MAX_BOND_BPS || r.slashToBuyerBps > BPS || r.buyerSlashToSellerBps > BPS
                || r.disputeRewardBps > BPS || r.disputeBond > MAX_DISPUTE_BOND
        ) revert MarketTermsRatesOutOfBounds();
    }

    function _checkWindows(Windows memory w) private pure {
        if (
            !_inWindow(w.verdictWindow) || !_inWindow(w.challengeWindow) || !_inWindow(w.arbitrationWindow)
                || !_inWindow(w.exitNotice) || !_inWindow(w.complaintWindow)
        ) revert MarketTermsWindowsOutOfBounds();
    }

    function _inWindow(uint32 seconds_) private pure returns (bool) {
        return seconds_ >= MIN_WINDOW && seconds_ <= MAX_WINDOW;
    }
}
