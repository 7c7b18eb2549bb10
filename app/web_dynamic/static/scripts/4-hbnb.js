/* Task 5: + Search shows the places having every checked amenity. */
'use strict';

HBNB.listChecked('.amenities');
HBNB.showApiStatus();
HBNB.searchOnClick(() => ({ amenities: HBNB.checkedIds('amenity') }));
