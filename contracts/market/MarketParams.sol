// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketParams} from "../interfaces/IMarketParams.sol";
import {MarketRoles} from "./MarketRoles.sol";

/// @title MarketParams
/// @notice The admin-bounded rates and windows of the marketplace.
abstract contract MarketParams is MarketRoles, IMarketParams {
    uint256 internal constant BPS = 10_000;
    uint256 public constant MAX_FEE_BPS = 1_000;
    uint256 public constant MAX_BOND_BPS = 20_000;
    uint256 public constant MAX_DISPUTE_BOND = 10_000e18;
    uint32 public constant MIN_WINDOW = 1 hours;
    uint32 public constant MAX_WINDOW = 30 days;
    /// @notice Latest delivery deadline a ladder or bid may set, counted from the purchase.
    uint32 public constant MAX_DELIVERY_DELAY = 30 days;

    Rates internal _rates;
    Windows internal _windows;

    constructor(address admin, Rates memory initialRates, Windows memory initialWindows) MarketRoles(admin) {
        _setRates(initialRates);
        _setWindows(initialWindows);
    }

    /// @inheritdoc IMarketParams
    function setRates(Rates calldata newRates) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRates(newRates);
    }

    /// @inheritdoc IMarketParams
    function setWindows(Windows calldata newWindows) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setWindows(newWindows);
    }

    /// @inheritdoc IMarketParams
    function rates() external view returns (Rates memory) {
        return _rates;
    }

    /// @inheritdoc IMarketParams
    function windows() external view returns (Windows memory) {
        return _windows;
    }

    function _setRates(Rates memory r) private {
        if (
            r.feeBps > MAX_FEE_BPS || r.minBondBps > MAX_BOND_BPS || r.buyerCollateralBps > BPS
                || r.sellerSlashBps > MAX_BOND_BPS || r.slashToBuyerBps > BPS || r.buyerSlashToSellerBps > BPS
                || r.disputeRewardBps > BPS || r.disputeBond > MAX_DISPUTE_BOND
        ) revert MarketplaceRatesOutOfBounds();
        _rates = r;
        emit RatesUpdated(r);
    }

    function _setWindows(Windows memory w) private {
        if (
            !_inWindow(w.verdictWindow) || !_inWindow(w.challengeWindow) || !_inWindow(w.arbitrationWindow)
                || !_inWindow(w.exitNotice)
        ) revert MarketplaceWindowsOutOfBounds();
        _windows = w;
        emit WindowsUpdated(w);
    }

    function _inWindow(uint32 seconds_) private pure returns (bool) {
        return seconds_ >= MIN_WINDOW && seconds_ <= MAX_WINDOW;
    }
}
